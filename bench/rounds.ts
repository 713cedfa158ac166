import { Bench } from 'tinybench';

/** How many times each measurement runs: warm-ups let V8 optimise, the median shrugs off a GC pause. */
export interface RoundOptions {
  readonly rounds: number;
  readonly warmups: number;
}

export const DEFAULT_ROUNDS: RoundOptions = { rounds: 11, warmups: 3 };

/** One measured task: a name and one round of work (one whole batch). */
export interface RoundTask {
  readonly name: string;
  readonly fn: () => unknown;
  /**
   * The round returns a promise to await. Said up front because tinybench otherwise calls
   * the function once more, unmeasured, to find out, which would be an uncounted warm-up.
   */
  readonly async?: boolean;
}

/** One tinybench pass over every task, `iterations` calls each, no time budget; latencies in ms. */
async function pass(tasks: readonly RoundTask[], iterations: number): Promise<Map<string, number>> {
  const bench = new Bench({ iterations, time: 0, warmup: false, throws: true });
  for (const task of tasks) bench.add(task.name, task.fn, { async: task.async ?? false });
  await bench.run();
  const latencies = new Map<string, number>();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`bench task '${task.name}' did not complete (${result.state})`);
    latencies.set(task.name, result.latency.p50);
  }
  return latencies;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Runs every task `warmups` times unmeasured, then `rounds` measured rounds, and returns
 * the median milliseconds per round by task name. Rounds are interleaved (A B C, A B C...),
 * not task after task, so a burst of load on the machine hits every task alike and ratios
 * of tasks measured together (whole path / floor) stay fair. Exactly that many rounds: no
 * time budget, so the run's length is predictable.
 *
 * @example
 * ```ts
 * const ms = await medianMs([{ name: 'floor', fn: () => naiveFloor(event) }], DEFAULT_ROUNDS);
 * ms.get('floor'); // 27.4
 * ```
 */
export async function medianMs(tasks: readonly RoundTask[], options: RoundOptions = DEFAULT_ROUNDS): Promise<Map<string, number>> {
  if (options.warmups > 0) await pass(tasks, options.warmups);
  const samples = new Map<string, number[]>(tasks.map((t) => [t.name, []]));
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, ms] of await pass(tasks, 1)) samples.get(name)!.push(ms);
  }
  return new Map([...samples].map(([name, values]) => [name, median(values)]));
}
