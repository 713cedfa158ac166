import { decodeRejects } from '../../format/rejects-ndjson.ts';
import type { Job } from '../../job/define-job.ts';
import type { BatchReport } from '../../runtime/batch-processor.ts';
import { RejectStage } from '../../decode/decode.ts';
import type { ObjectStore } from '../../store/object-store.ts';
import { atGrowingInterval } from './growing-interval.ts';
import { reasonKey } from '../../observability/reject-summary.ts';

/**
 * The most frequent reject reason of the batches that wrote no rows.
 *
 * @example
 * ```ts
 * const top: TopReject = { stage: 'row', reason: "output #0: temperature_c: expected number, received undefined", count: 120 };
 * ```
 */
export interface TopReject {
  readonly stage: string;
  /** One reason as it was written (reasons that differ only in numbers count as one). */
  readonly reason: string;
  readonly count: number;
}

/** What a batch whose records all failed at a stage most likely means. */
const LIKELY_CAUSE: Readonly<Record<RejectStage, string>> = {
  [RejectStage.Kpl]: 'The records are damaged KPL aggregates: check the producer.',
  [RejectStage.Utf8]: "The records are not UTF-8 text: check what the producer sends, or the stream's name.",
  [RejectStage.Json]: "The records are not JSON: check what the producer sends, or the stream's name.",
  [RejectStage.Validation]: "The records do not fit the job's input schema (source.records): check the schema against what the producer sends.",
  [RejectStage.Step]: 'A step throws on every record: check the step the reason names.',
  [RejectStage.Row]: "The steps' output does not fit the row schema: a misspelled or missing field is the usual cause (npx sluice check <job>).",
  [RejectStage.EventTime]: 'No row has a usable event time: check the field hourOf(...) names and what the steps put in it.',
  [RejectStage.Partition]: 'Partition values break a path or key limit: check the fields partitionKeys names.',
  [RejectStage.Aggregate]: "Rows do not fit the aggregate's window or measures: check the fields they name.",
};


/**
 * Options of {@link allRejectedWatch}.
 *
 * @example
 * ```ts
 * const options: AllRejectedOptions = { job, store: env.store, warn: (line) => log.warn(line) };
 * ```
 */
export interface AllRejectedOptions {
  readonly job: Job;
  /** Where the batches' reject files are read back from. */
  readonly store: ObjectStore;
  readonly warn: (line: string) => void;
}

/**
 * Watches committed batches for ones that wrote no rows but rejected records, and warns
 * with the stage that rejected the most and its most frequent reason: once per stage and
 * reason, then at a growing interval. A batch's reject file is read back only then, so the
 * batches that write rows cost nothing.
 *
 * @example
 * ```ts
 * const watch = allRejectedWatch({ job, store: env.store, warn: (line) => log.warn(line) });
 * await runJob({ ..., onBatch: watch.onBatch });
 * await watch.settled();
 * watch.top(); // { stage: 'row', reason: '...', count: 120 }
 * ```
 */
export function allRejectedWatch(options: AllRejectedOptions) {
  const { job } = options;
  const occurrences = new Map<string, number>();
  const totals = new Map<string, TopReject>();
  const reading = new Set<Promise<void>>();

  const readBack = async (report: BatchReport): Promise<void> => {
    const stages = Object.entries(report.metrics.rejectsByStage) as Array<[RejectStage, number]>;
    const [stage, inStage] = stages.reduce((top, entry) => (entry[1] > top[1] ? entry : top));
    const reasons = new Map<string, TopReject>();
    for (const key of report.rejectFiles) {
      const bytes = await options.store.get(key);
      for (const line of bytes ? decodeRejects(bytes) : []) {
        if (line.stage !== stage) continue;
        const k = reasonKey(line.stage, line.reason);
        const seen = reasons.get(k);
        reasons.set(k, { stage, reason: seen?.reason ?? line.reason, count: (seen?.count ?? 0) + 1 });
      }
    }
    const top = [...reasons.entries()].sort((a, b) => b[1].count - a[1].count)[0];
    const key = top?.[0] ?? reasonKey(stage, '');
    const reason = top?.[1].reason ?? '(its reject file could not be read back)';
    const total = totals.get(key);
    totals.set(key, { stage, reason: total?.reason ?? reason, count: (total?.count ?? 0) + (top?.[1].count ?? inStage) });
    const seen = (occurrences.get(key) ?? 0) + 1;
    occurrences.set(key, seen);
    if (!atGrowingInterval(seen)) return;
    const again = seen === 1 ? '' : ` (${seen} such batches in this run)`;
    options.warn(
      `${job.name}: no rows from a batch of ${report.metrics.records} records on ${report.shardId}${again}: ` +
        `${inStage} rejected at stage '${stage}', most for: ${reason}. ${LIKELY_CAUSE[stage].replace('<job>', job.name)}`,
    );
  };

  return {
    /** Give it every committed batch. */
    onBatch: (report: BatchReport): void => {
      if (report.metrics.rows > 0 || report.metrics.rejects === 0) return;
      const read = readBack(report).catch((error: unknown) => options.warn(`${job.name}: could not read back a batch's rejects: ${(error as Error).message}`));
      reading.add(read);
      void read.then(() => reading.delete(read));
    },
    /** Resolves once every reject file asked for has been read and warned about. */
    settled: async (): Promise<void> => {
      await Promise.all([...reading]);
    },
    /** The most frequent stage and reason over the batches that wrote no rows; undefined when none did. */
    top: (): TopReject | undefined => [...totals.values()].sort((a, b) => b.count - a.count)[0],
  };
}
