/**
 * A record whose output can never be written (a partition value or key over a limit of the
 * file system, S3 or Glue) is a reject with the limit in its reason, and its batch commits:
 * the same outcome on the local folder store and on S3 (Ceph), so no shard stalls on it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LocalCatalog } from '../../src/catalog/local-catalog.ts';
import { compactionLayout } from '../../src/compaction/compaction-layout.ts';
import { decodeRejects } from '../../src/format/rejects-ndjson.ts';
import { defineJob, hourOf, kinesisStream, table } from '../../src/index.ts';
import type { Job } from '../../src/job/define-job.ts';
import { PartitionLimits, partitionKeyProblem, partitionValueProblem } from '../../src/partition/partition-limits.ts';
import { runBatch } from '../../src/pipeline/run-batch.ts';
import { createBatchProcessor } from '../../src/runtime/batch-processor.ts';
import { ensureJobTables } from '../../src/runtime/table-descriptor.ts';
import { LocalFolderStore } from '../../src/store/local-folder-store.ts';
import type { ObjectStore } from '../../src/store/object-store.ts';
import { S3ObjectStore } from '../../src/store/s3-object-store.ts';
import { streamRecords } from '../helpers/records.ts';
import { connectS3TestServer, S3_SERVER_WAIT_MS, type S3TestServer } from '../helpers/s3-test-server.ts';

const Event = z.object({ id: z.string(), at: z.string(), kind: z.string() });
const Row = z.object({ id: z.string(), at: z.date(), kind: z.string() });

const eventsJob = (options: { prefix?: string } = {}): Job =>
  defineJob({
    name: 'poison',
    source: kinesisStream({ stream: 's', records: Event }),
    steps: (s) => s.map((m) => ({ id: m.id, at: new Date(m.at), kind: m.kind })),
    output: table({ database: 'db', name: 'events', rows: Row, partitionBy: hourOf('at'), partitionKeys: ['kind'], ...options }),
  });

const at = '2026-11-23T10:15:00Z';
/** Each poison value and the limit its reason must name. */
const POISON = [
  { kind: 'x'.repeat(300), limit: /300-byte path segment|30\d-byte path segment.*255-byte limit/ },
  { kind: '/'.repeat(100), limit: /path segment.*over the 255-byte limit of a file or folder name/ },
  { kind: 'y'.repeat(1100), limit: /1100 characters long, over Glue's limit of 1024/ },
  { kind: 'bad\ud800', limit: /not well-formed Unicode/ },
] as const;

const documents = [
  { id: 'ok-1', at, kind: 'walk' },
  ...POISON.map((p, i) => ({ id: `poison-${i}`, at, kind: p.kind })),
  { id: 'ok-2', at, kind: 'run' },
];

describe('partition limits', () => {
  it('names the limit a value or a key breaks', () => {
    expect(partitionValueProblem('kind', 'walk')).toBeUndefined();
    expect(partitionValueProblem('kind', 'x'.repeat(245))).toBeUndefined(); // 'kind=' + 245 = 250 bytes
    expect(partitionValueProblem('kind', 'x'.repeat(251))).toMatch(/256-byte path segment/);
    expect(partitionValueProblem('kind', 'é'.repeat(50))).toMatch(/305-byte path segment/); // each é escapes to %C3%A9
    const where = { prefix: 'p'.repeat(900), table: 'events', shardId: 'shardId-000000000000', recordId: '4'.repeat(56) };
    expect(partitionKeyProblem('year=2026/month=11/day=23/hour=10/kind=walk', where)).toMatch(/-byte object keys, over S3's limit of 1024 bytes/);
    expect(partitionKeyProblem('year=2026/month=11/day=23/hour=10/kind=walk', { ...where, prefix: 'iot' })).toBeUndefined();
  });

  it('keeps room for the longest key compaction derives from a partition path', () => {
    const path = 'year=2026/month=11/day=23/hour=10/kind=walk';
    const layout = compactionLayout({ prefix: 'iot', table: 'events' });
    const longest = Math.max(layout.partKey(path, 999_999, 99_999).length, layout.stateKey(path).length);
    expect(longest - `iot/events/${path}`.length).toBeLessThanOrEqual(PartitionLimits.derivedKeyReserveBytes);
  });

  it('rejects each poison record with its limit and writes the others', () => {
    const out = runBatch(eventsJob(), streamRecords(documents));
    expect(out.rows).toBe(2);
    expect(out.rejects).toBe(POISON.length);
    const rejects = out.rejectFiles.flatMap((f) => f.rejects);
    POISON.forEach((poison, i) => {
      const reject = rejects.find((r) => new TextDecoder().decode(r.record.data).includes(`poison-${i}`))!;
      expect(reject.stage).toBe('partition');
      expect(reject.reason).toMatch(poison.limit);
    });
    // A prefix that leaves no room for the key: every record with an extra key is rejected, none fails the batch.
    const long = runBatch(eventsJob({ prefix: 'p'.repeat(950) }), streamRecords([documents[0]!]));
    expect(long.rejectFiles.flatMap((f) => f.rejects).map((r) => r.reason)).toEqual([expect.stringMatching(/over S3's limit of 1024 bytes/)]);
  });
});

describe('a batch with poison records commits', () => {
  let work: string;
  let s3: S3TestServer;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'sluice-poison-'));
    s3 = await connectS3TestServer();
  }, S3_SERVER_WAIT_MS);
  afterAll(() => rm(work, { recursive: true, force: true }));

  /** Commits the batch through the commit protocol and reads back what the store holds. */
  async function commit(store: ObjectStore, catalogDir: string) {
    const job = eventsJob();
    const catalog = new LocalCatalog({ dir: catalogDir });
    await ensureJobTables(catalog, job, store);
    const report = await createBatchProcessor({ job, store, catalog })(streamRecords(documents));
    const keys: string[] = [];
    for await (const object of store.list('db/')) keys.push(object.key);
    const rejectKeys = keys.filter((k) => k.endsWith('.ndjson'));
    const rejects = (await Promise.all(rejectKeys.map(async (k) => decodeRejects((await store.get(k))!)))).flat();
    return { report, keys, rejects };
  }

  it('on the local folder store and on S3 alike', async () => {
    const local = await commit(new LocalFolderStore({ root: join(work, 'warehouse') }), join(work, 'catalog-local'));
    const bucket = await s3.createBucket('poison');
    const remote = await commit(new S3ObjectStore({ client: s3.client, bucket, prefix: 'warehouse' }), join(work, 'catalog-s3'));
    for (const { report, rejects } of [local, remote]) {
      expect(report.rows).toBe(2);
      expect(report.metrics.rejectsByStage).toEqual({ partition: POISON.length });
      expect(rejects.map((r) => r.stage)).toEqual(POISON.map(() => 'partition'));
      // The raw bytes are kept: the record can be replayed once the job maps the value to something writable.
      expect(rejects.map((r) => JSON.parse(Buffer.from(r.data, 'base64').toString('utf8')).id)).toEqual(POISON.map((_, i) => `poison-${i}`));
    }
    expect(remote.keys).toEqual(local.keys);
    expect(local.keys.filter((k) => k.endsWith('.parquet'))).toHaveLength(2);
  });
});
