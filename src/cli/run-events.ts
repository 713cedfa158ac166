import { Chaos } from '../runtime/chaos.ts';
import type { RunEvent } from '../runtime/local-runner.ts';
import { SeededRandom } from './simulate/seeded-random.ts';
import type { CliLogger } from './logger.ts';
import { messageOf } from '../error-message.ts';
import { atGrowingInterval } from './warnings/growing-interval.ts';

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
 * A logger of notable run events: retries, destination sends, restarts. Batch commits are
 * logged by the command itself; routine poller events stay quiet. A shard whose batch keeps
 * failing is reported once per distinct error, with the record range, then at a growing
 * interval of attempts.
 *
 * @example
 * ```ts
 * const describe = runEventLog(log);
 * runJob({ ..., onEvent: (event) => describe(event) });
 * ```
 */
export function runEventLog(log: CliLogger): (event: RunEvent) => void {
  const lastError = new Map<string, string>();
  const lines: Partial<Record<RunEvent['type'], (event: RunEvent) => void>> = {
    'handler-error': (event) => {
      const e = event as Extract<RunEvent, { type: 'handler-error' }>;
      const message = messageOf(e.error);
      const attempts = e.failing?.attempts;
      const changed = lastError.get(e.shardId) !== message;
      if (!changed && attempts !== undefined && !atGrowingInterval(attempts)) return;
      lastError.set(e.shardId, message);
      const since = e.failing && e.failing.attempts > 1 ? `, failing for ${e.failing.attempts} attempts since ${new Date(e.failing.since).toISOString()}` : '';
      log.warn(`${e.shardId} ${e.first}..${e.last}: batch failed${since}, retrying from ${e.first}: ${message}`);
    },
    'sent-to-destination': (event) => {
      const { range } = event as Extract<RunEvent, { type: 'sent-to-destination' }>;
      lastError.delete(range.records[0]!.shardId);
      log.error(`${range.records[0]!.shardId}: gave up on ${range.records.length} records (${range.condition}); sent to the on-failure destination`);
    },
    'worker-restart': (event) => {
      const e = event as Extract<RunEvent, { type: 'worker-restart' }>;
      log.warn(`worker died (${messageOf(e.error)}); restart #${e.restarts} from the checkpoint`);
    },
    'metrics-log-error': (event) => {
      const e = event as Extract<RunEvent, { type: 'metrics-log-error' }>;
      log.warn(`could not keep a batch's metrics for sluice status (the batch itself is committed): ${messageOf(e.error)}`);
    },
  };
  return (event) => lines[event.type]?.(event);
}
