import type { Catalog } from '../catalog/catalog.ts';
import { SourceError } from '../errors.ts';
import { decodeRejects, type RejectLine } from '../format/rejects-ndjson.ts';
import type { Job } from '../job/define-job.ts';
import { rejectsRootKey } from '../partition/object-keys.ts';
import type { RejectStage } from '../decode/decode.ts';
import { recordId, type StreamRecord } from '../decode/stream-record.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { createBatchProcessor, RejectsOutput } from './batch-processor.ts';
import { ensureJobTables } from './table-descriptor.ts';

/**
 * Which rejects a replay takes.
 *
 * @example
 * ```ts
 * const filter: RejectFilter = { stage: 'step', since: new Date('2026-12-03T00:00:00Z') };
 * ```
 */
export interface RejectFilter {
  /** Only rejects of this stage. */
  readonly stage?: RejectStage;
  /** Only rejects that arrived at or after this time. */
  readonly since?: Date;
}

/**
 * Options of {@link replayRejects}.
 *
 * @example
 * ```ts
 * const options: ReplayRejectsOptions = { job, store: env.store, catalog: env.catalog, filter: { stage: 'step' } };
 * ```
 */
export interface ReplayRejectsOptions {
  readonly job: Job;
  readonly store: ObjectStore;
  readonly catalog: Catalog;
  readonly filter?: RejectFilter;
  /** Called after each reject is tried. */
  readonly onReject?: (outcome: ReplayOutcome) => void;
}

/**
 * What became of one replayed reject: rows written (and remembered as replayed), or
 * rejected again by the job as it is now (not remembered: a later fix can replay it).
 *
 * @example
 * ```ts
 * const outcome: ReplayOutcome = { shardId: 'shardId-000000000000', recordId: '4959...', rows: 1 };
 * ```
 */
export interface ReplayOutcome {
  readonly shardId: string;
  readonly recordId: string;
  readonly rows: number;
  /** Why the job rejects the record again; absent when it wrote rows. */
  readonly rejectedAgain?: { readonly stage: RejectStage; readonly reason: string };
}

/**
 * The totals of a replay.
 *
 * @example
 * ```ts
 * const summary: ReplaySummary = { matched: 12, alreadyReplayed: 2, replayed: 9, rows: 9, rejectedAgain: 1, reasons: [] };
 * ```
 */
export interface ReplaySummary {
  /** Rejects the filter matched. */
  readonly matched: number;
  /** Of those, replayed by an earlier run: skipped. */
  readonly alreadyReplayed: number;
  /** Rejects that wrote their rows now. */
  readonly replayed: number;
  readonly rows: number;
  /** Rejects the job rejects again, with the reasons, most frequent first. */
  readonly rejectedAgain: number;
  readonly reasons: ReadonlyArray<{ readonly stage: RejectStage; readonly reason: string; readonly count: number }>;
}

/** A reject's identity: its shard and record id. */
const identity = (line: Pick<RejectLine, 'shardId' | 'sequenceNumber' | 'subSequenceNumber'>): string => `${line.shardId}/${recordId(line)}`;

/**
 * `<prefix>/_rejects/<table>/_replayed/`: one small document per reject that a replay turned
 * into rows. Outside every partition folder, so no query of the rejects table reads it.
 *
 * @example
 * ```ts
 * replayedRootKey(job); // 'iot/_rejects/sensor_readings/_replayed'
 * ```
 */
export function replayedRootKey(job: Job): string {
  return `${rejectsRootKey({ prefix: job.output.prefix, table: job.output.name })}/_replayed`;
}

/**
 * Runs rejected records through the job as it is now (after a fix) and writes their rows
 * exactly once, however often it runs:
 *
 * - each reject is replayed as a batch of its own, so its rows go to files keyed by its own
 *   shard and record id (the exactly-once key rule): a replay that is interrupted and run
 *   again rewrites the same keys, whatever filter it is given;
 * - a reject that wrote rows is remembered (`_replayed/<shard>/<record id>.json`, after its
 *   files and partitions are committed) and skipped by later replays;
 * - a record the job rejects again is reported with its reason and not remembered; its
 *   original reject line stays where it is (reject files are never rewritten: they hold the
 *   batch's other rejects too).
 *
 * Rejects with the port's errors; what was replayed before the error stays remembered.
 *
 * @example
 * ```ts
 * const summary = await replayRejects({ job, store: env.store, catalog: env.catalog, filter: { stage: 'step' } });
 * ```
 */
export async function replayRejects(options: ReplayRejectsOptions): Promise<ReplaySummary> {
  const { job, store, catalog } = options;
  await ensureJobTables(catalog, job, store);
  const replayedRoot = replayedRootKey(job);
  const replayed = new Set<string>();
  for await (const object of store.list(`${replayedRoot}/`)) {
    replayed.add(object.key.slice(replayedRoot.length + 1).replace(/\.json$/, '').split('/').map(decodeURIComponent).join('/'));
  }
  const process = createBatchProcessor({ job, store, catalog, rejects: RejectsOutput.Report });
  const reasons = new Map<string, { stage: RejectStage; reason: string; count: number }>();
  let matched = 0;
  let alreadyReplayed = 0;
  let replayedNow = 0;
  let rows = 0;
  for (const line of await matchingRejects(store, job, options.filter ?? {})) {
    matched++;
    if (replayed.has(identity(line))) {
      alreadyReplayed++;
      continue;
    }
    const record = recordOf(line);
    const report = await process([record]);
    const again = report.rejected[0];
    if (again !== undefined) {
      const key = `${again.stage}\u0000${again.reason}`;
      const seen = reasons.get(key);
      reasons.set(key, { stage: again.stage, reason: again.reason, count: (seen?.count ?? 0) + 1 });
      options.onReject?.({ shardId: line.shardId, recordId: recordId(line), rows: 0, rejectedAgain: { stage: again.stage, reason: again.reason } });
      continue;
    }
    await store.put(
      `${replayedRoot}/${encodeURIComponent(line.shardId)}/${encodeURIComponent(recordId(line))}.json`,
      new TextEncoder().encode(JSON.stringify({ replayedAt: new Date().toISOString(), rows: report.rows, files: report.files })),
      { contentType: 'application/json' },
    );
    replayed.add(identity(line));
    replayedNow++;
    rows += report.rows;
    options.onReject?.({ shardId: line.shardId, recordId: recordId(line), rows: report.rows });
  }
  return {
    matched,
    alreadyReplayed,
    replayed: replayedNow,
    rows,
    rejectedAgain: [...reasons.values()].reduce((n, r) => n + r.count, 0),
    reasons: [...reasons.values()].sort((a, b) => b.count - a.count),
  };
}

/** The table's reject lines (in the arrival-hour folders) the filter matches, in key and line order. */
async function matchingRejects(store: ObjectStore, job: Job, filter: RejectFilter): Promise<RejectLine[]> {
  const root = rejectsRootKey({ prefix: job.output.prefix, table: job.output.name });
  const lines: RejectLine[] = [];
  for await (const object of store.list(`${root}/year=`)) {
    if (!object.key.endsWith('.ndjson')) continue;
    const bytes = await store.get(object.key);
    if (bytes === undefined) continue;
    for (const line of decodeRejects(bytes)) {
      if (filter.stage !== undefined && line.stage !== filter.stage) continue;
      if (filter.since !== undefined && Date.parse(line.arrivalTime) < filter.since.getTime()) continue;
      lines.push(line);
    }
  }
  return lines;
}

/** The stream record a reject line keeps: the record's own bytes and identity, as the stream delivered it. */
function recordOf(line: RejectLine): StreamRecord {
  const data = Buffer.from(line.data, 'base64');
  const arrivalTime = new Date(line.arrivalTime);
  if (Number.isNaN(arrivalTime.getTime())) {
    throw new SourceError(`the reject line of ${line.shardId} ${recordId(line)} has an arrival time '${line.arrivalTime}' that is not a time; was the file edited by hand?`);
  }
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    shardId: line.shardId,
    sequenceNumber: line.sequenceNumber,
    ...(line.subSequenceNumber === undefined ? {} : { subSequenceNumber: line.subSequenceNumber }),
    partitionKey: line.partitionKey,
    arrivalTime,
  };
}
