import type { Job } from '../job/define-job.ts';
import { decodeRejects, type RejectLine } from '../format/rejects-ndjson.ts';
import { rejectsRootKey } from '../partition/object-keys.ts';
import type { RejectStage } from '../decode/decode.ts';
import type { ObjectStore } from '../store/object-store.ts';

/**
 * Rejects grouped by stage and reason (numbers in a reason are read as one: `position 12`
 * and `position 40` are the same reason), with one reason as it was written.
 *
 * @example
 * ```ts
 * const top: RejectReason = { stage: 'json', reason: 'record data is not JSON: Unexpected end of JSON input', count: 12 };
 * ```
 */
export interface RejectReason {
  readonly stage: RejectStage;
  readonly reason: string;
  readonly count: number;
}

/**
 * A job's rejects in numbers: how many, by stage, the most frequent reasons and the newest reject.
 *
 * @example
 * ```ts
 * const { rejects, topReasons } = await rejectSummary(store, job);
 * ```
 */
export interface RejectSummary {
  readonly rejects: number;
  readonly rejectsByStage: Readonly<Partial<Record<RejectStage, number>>>;
  /** The most frequent reasons, most frequent first (at most five). */
  readonly topReasons: readonly RejectReason[];
  /** The newest reject, as stored (raw bytes base64 in `data`); null without rejects. */
  readonly latestReject: RejectLine | null;
}

const TOP_REASONS = 5;

/**
 * The key rejects are grouped by: their stage and reason, with every number read as one
 * (an offset or an index in a reason does not make it another reason).
 *
 * @example
 * ```ts
 * reasonKey('json', 'Unexpected token at position 12') === reasonKey('json', 'Unexpected token at position 40'); // true
 * ```
 */
export function reasonKey(stage: string, reason: string): string {
  return `${stage}\u0000${reason.replace(/\d+/g, '#')}`;
}

/**
 * Reads every reject line of a job's table (its reject files, the truth of what was
 * rejected) and sums them up. Rejects with the store's error.
 *
 * @example
 * ```ts
 * (await rejectSummary(env.store, job)).rejectsByStage; // { json: 2, validation: 4 }
 * ```
 */
export async function rejectSummary(store: ObjectStore, job: Job): Promise<RejectSummary> {
  const byStage: Partial<Record<RejectStage, number>> = {};
  const reasons = new Map<string, RejectReason>();
  let total = 0;
  let latest: RejectLine | null = null;
  for await (const object of store.list(`${rejectsRootKey({ prefix: job.output.prefix, table: job.output.name })}/year=`)) {
    if (!object.key.endsWith('.ndjson')) continue;
    const bytes = await store.get(object.key);
    if (bytes === undefined) continue;
    for (const line of decodeRejects(bytes)) {
      total++;
      byStage[line.stage] = (byStage[line.stage] ?? 0) + 1;
      const key = reasonKey(line.stage, line.reason);
      const seen = reasons.get(key);
      reasons.set(key, { stage: line.stage, reason: seen?.reason ?? line.reason, count: (seen?.count ?? 0) + 1 });
      if (latest === null || line.arrivalTime >= latest.arrivalTime) latest = line;
    }
  }
  const topReasons = [...reasons.values()].sort((a, b) => b.count - a.count).slice(0, TOP_REASONS);
  return { rejects: total, rejectsByStage: byStage, topReasons, latestReject: latest };
}

