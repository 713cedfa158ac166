import { Chaos } from '../runtime/chaos.ts';
import type { RunEvent } from '../runtime/local-runner.ts';
import { SeededRandom } from './simulate/seeded-random.ts';
import type { CliLogger } from './logger.ts';
import { messageOf } from '../error-message.ts';

/**
 * Chaos with a seeded random source, so a failing `--chaos` run can be replayed with its `--seed`.
 *
 * @example
 * ```ts
 * runJob({ ..., chaos: seededChaos({ probability: 0.3, seed: 7 }) });
 * ```
 */
export function seededChaos(options: { probability: number; seed: number }): Chaos {
  const random = new SeededRandom(options.seed);
  return new Chaos({ probability: options.probability, random: () => random.next() });
}


/**
 * One log line per notable run event: retries, destination sends, restarts. Batch commits
 * are logged by the command itself; routine poller events stay quiet.
 *
 * @example
 * ```ts
 * runJob({ ..., onEvent: (event) => describeRunEvent(event, log) });
 * ```
 */
export function describeRunEvent(event: RunEvent, log: CliLogger): void {
  const lines: Partial<Record<RunEvent['type'], () => void>> = {
    'handler-error': () => {
      const e = event as Extract<RunEvent, { type: 'handler-error' }>;
      log.warn(`${e.shardId} ${e.first}..${e.last}: batch failed, retrying from ${e.first}: ${messageOf(e.error)}`);
    },
    'sent-to-destination': () => {
      const { range } = event as Extract<RunEvent, { type: 'sent-to-destination' }>;
      log.error(`${range.records[0]!.shardId}: gave up on ${range.records.length} records (${range.condition}); sent to the on-failure destination`);
    },
    'worker-restart': () => {
      const e = event as Extract<RunEvent, { type: 'worker-restart' }>;
      log.warn(`worker died (${messageOf(e.error)}); restart #${e.restarts} from the checkpoint`);
    },
  };
  lines[event.type]?.();
}
