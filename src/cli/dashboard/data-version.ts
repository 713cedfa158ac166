import type { Job } from '../../job/define-job.ts';
import type { MetricsLog } from '../../observability/metrics-log.ts';

/**
 * A token that changes whenever the data the dashboard shows may have changed: a batch
 * committed (files written, partitions registered) or a compaction ran, in any job. The page
 * polls it and redraws only when it moves; the SQL panel reopens its views when it moves.
 * Read from the metrics log, which the commit protocol appends to after every commit.
 *
 * @example
 * ```ts
 * const version = await dataVersion({ jobs, metricsLog: env.metricsLog });
 * // 'sensor-readings:42:1764750003120:0|sensor-hourly:40:1764750003090:1'
 * ```
 */
export async function dataVersion(options: { jobs: readonly Job[]; metricsLog: MetricsLog }): Promise<string> {
  const parts = await Promise.all(
    options.jobs.map(async (job) => {
      const [batches, compactions] = await Promise.all([options.metricsLog.batches(job.name), options.metricsLog.compactions(job.name)]);
      const lastCommit = batches.at(-1)?.committedAt ?? 0;
      const lastCompaction = compactions.at(-1)?.at ?? 0;
      return `${job.name}:${batches.length}:${lastCommit}:${compactions.length}:${lastCompaction}`;
    }),
  );
  return parts.join('|');
}
