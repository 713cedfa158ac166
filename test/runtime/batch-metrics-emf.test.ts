import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import job from '../../jobs/sensor-readings.ts';
import type { Catalog, PartitionDescriptor } from '../../src/catalog/catalog.ts';
import { BATCH_METRIC_READINGS } from '../../src/observability/batch-metrics.ts';
import { COMPACTION_METRIC_READINGS } from '../../src/observability/compaction-metrics.ts';
import { BatchMetric, CompactionMetric, JobDimension, MetricNamespace, MetricUnit, StageDimension } from '../../src/observability/metric-names.ts';
import { createCompactionHandler } from '../../src/runtime/lambda/compaction-handler.ts';
import { createBatchMetricsPublisher, createCompactionMetricsPublisher } from '../../src/runtime/lambda/emf-metrics.ts';
import { eventOfRecords } from '../../src/runtime/lambda/kinesis-event.ts';
import { createKinesisHandler } from '../../src/runtime/lambda/kinesis-handler.ts';
import type { StreamRecord } from '../../src/decode/stream-record.ts';
import { MemoryObjectStore } from '../../src/store/memory-object-store.ts';
import { localPorts, readingsJob, seedReadings, settledClock } from '../compaction/compaction-fixtures.ts';
import { kplAggregate } from '../helpers/kpl.ts';
import { senseHat, streamRecord } from '../helpers/records.ts';

/**
 * The metrics a deployed handler prints: CloudWatch Embedded Metric Format lines, parsed back
 * and checked metric by metric against a batch whose numbers are known.
 */

const SOURCE = { streamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/iot-sensor', region: 'eu-west-1', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:f' };

/** One EMF document, as Powertools Metrics prints it. */
interface EmfDocument {
  readonly _aws: { readonly Timestamp: number; readonly CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  readonly [field: string]: unknown;
}

/**
 * The EMF documents printed while `action` runs. Powertools Metrics writes them with a
 * `Console` of its own over `process.stdout` (not the global console vitest captures), so
 * the stream's `write` is what sees them.
 */
async function emfPrintedBy(action: () => Promise<unknown>): Promise<EmfDocument[]> {
  const chunks: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    await action();
  } finally {
    write.mockRestore();
  }
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfDocument);
}

/** A clock that reads the given instants in order, and fails the test if read more often. */
function clockOf(instants: readonly number[]): { now: () => number; unread: () => number } {
  const left = [...instants];
  return {
    now: () => {
      const next = left.shift();
      if (next === undefined) throw new Error('the clock was read more often than the test expects');
      return next;
    },
    unread: () => left.length,
  };
}

function catalogDouble(): Catalog & { registered: PartitionDescriptor[] } {
  const registered: PartitionDescriptor[] = [];
  return {
    registered,
    ensureTable: async () => undefined,
    // The table's partitions only: PartitionsRegistered counts those, not the rejects table's arrival hours.
    registerPartitions: async (table, partitions) => void (table.name.endsWith('_rejects') ? undefined : registered.push(...partitions)),
    setPartitionLocations: async () => undefined,
    getTable: async () => undefined,
    listTables: async () => [],
    listPartitions: async () => [],
  };
}

const at = (iso: string): Date => new Date(iso);
const encoder = new TextEncoder();
const bytesOf = (document: unknown): Uint8Array => encoder.encode(JSON.stringify(document));

/** Each record's arrival on the stream: whole seconds, as the event carries them; the oldest is not the first. */
const ARRIVALS = {
  good1: at('2026-11-23T10:20:05Z'),
  good2: at('2026-11-23T10:20:01Z'),
  good3: at('2026-11-23T10:20:06Z'),
  probe: at('2026-11-23T10:20:07Z'),
  aggregate: at('2026-11-23T10:20:08Z'),
  json: at('2026-11-23T10:20:09Z'),
  validation: at('2026-11-23T10:20:10Z'),
  utf8: at('2026-11-23T10:20:11Z'),
} as const;
const OLDEST_ARRIVAL = ARRIVALS.good2.getTime();
/** The newest event time among the rows written: the KPL aggregate's second reading. */
const NEWEST_EVENT = at('2026-11-23T09:59:59Z').getTime();

/**
 * Eight Kinesis records carrying nine user records: three good readings (hours 08 and 09), a
 * disconnected probe's reading the job's filter drops (a record, not a row, not a reject), a
 * KPL aggregate of two good readings (hour 09), and one reject each for JSON, validation and UTF-8.
 */
async function knownBatch(): Promise<StreamRecord[]> {
  const [aggregate] = await kplAggregate([
    { partitionKey: 'rpi', data: bytesOf(senseHat({ count: 5, timestamp: '2026-11-23 09:50:00' })) },
    { partitionKey: 'rpi', data: bytesOf(senseHat({ count: 6, timestamp: '2026-11-23 09:59:59' })) },
  ]);
  const records: Array<{ data: Uint8Array; arrivalTime: Date }> = [
    { data: bytesOf(senseHat({ count: 1, timestamp: '2026-11-23 08:15:02' })), arrivalTime: ARRIVALS.good1 },
    { data: bytesOf(senseHat({ count: 2, timestamp: '2026-11-23 09:30:00' })), arrivalTime: ARRIVALS.good2 },
    { data: bytesOf(senseHat({ count: 3, timestamp: '2026-11-23 09:45:10' })), arrivalTime: ARRIVALS.good3 },
    { data: bytesOf(senseHat({ count: 4, timestamp: '2026-11-23 09:46:00', temperature: -70 })), arrivalTime: ARRIVALS.probe },
    { data: aggregate!.data, arrivalTime: ARRIVALS.aggregate },
    { data: encoder.encode('{"client_id": "rpi-x", "count":'), arrivalTime: ARRIVALS.json },
    { data: bytesOf({ not: 'a reading' }), arrivalTime: ARRIVALS.validation },
    { data: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), arrivalTime: ARRIVALS.utf8 },
  ];
  return records.map((r, i) => streamRecord(undefined, { data: r.data, arrivalTime: r.arrivalTime, sequenceNumber: String(5000 + i) }));
}

async function storedBytes(store: MemoryObjectStore): Promise<{ parquetFiles: number; bytes: number }> {
  let parquetFiles = 0;
  let bytes = 0;
  for await (const object of store.list('')) {
    if (object.key.endsWith('.parquet')) parquetFiles++;
    bytes += object.size;
  }
  return { parquetFiles, bytes };
}

beforeEach(() => {
  // Metrics print unless disabled; POWERTOOLS_DEV would also send them to the global console.
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_DEV', 'false');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the Kinesis handler with the EMF batch metrics publisher', () => {
  const STARTED = at('2026-11-23T10:21:00.000Z').getTime();
  const COMMITTED = STARTED + 1_234;

  it('prints every batch metric of a known batch, then the rejects of each stage that had any', async () => {
    const store = new MemoryObjectStore();
    const catalog = catalogDouble();
    const clock = clockOf([STARTED, COMMITTED]);
    const handler = createKinesisHandler(job, { adapters: () => ({ store, catalog }), now: clock.now, onBatch: createBatchMetricsPublisher({ job: job.name }) });
    const event = eventOfRecords(await knownBatch(), SOURCE);

    let answer: unknown;
    const [batch, ...stages] = await emfPrintedBy(async () => (answer = await handler(event)));
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(clock.unread()).toBe(0);

    expect(batch!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: MetricNamespace,
        Dimensions: [[JobDimension]],
        Metrics: Object.entries(BATCH_METRIC_READINGS).map(([Name, reading]) => ({ Name, Unit: reading.unit })),
      },
    ]);
    expect(batch!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name).sort()).toEqual(Object.values(BatchMetric).sort());
    const { parquetFiles, bytes } = await storedBytes(store);
    expect(parquetFiles).toBe(2);
    expect(bytes).toBeGreaterThan(0);
    const { _aws, ...values } = batch!;
    expect(values).toEqual({
      [JobDimension]: job.name,
      [BatchMetric.KinesisRecords]: 8,
      [BatchMetric.Records]: 9,
      [BatchMetric.Rows]: 5,
      [BatchMetric.Rejects]: 3,
      [BatchMetric.FilesWritten]: 2,
      [BatchMetric.BytesWritten]: bytes,
      [BatchMetric.PartitionsRegistered]: 2,
      [BatchMetric.BatchDuration]: 1_234,
      [BatchMetric.DataFreshness]: COMMITTED - OLDEST_ARRIVAL,
      [BatchMetric.EventTimeLag]: COMMITTED - NEWEST_EVENT,
    });
    expect(catalog.registered.map((p) => p.values.join('/')).sort()).toEqual(['2026/11/23/08', '2026/11/23/09']);

    expect(stages.map((d) => d._aws.CloudWatchMetrics)).toEqual(
      stages.map(() => [{ Namespace: MetricNamespace, Dimensions: [[JobDimension, StageDimension]], Metrics: [{ Name: BatchMetric.Rejects, Unit: MetricUnit.Count }] }]),
    );
    expect(stages.map(({ _aws, ...fields }) => fields)).toEqual([
      { [JobDimension]: job.name, [StageDimension]: 'json', [BatchMetric.Rejects]: 1 },
      { [JobDimension]: job.name, [StageDimension]: 'validation', [BatchMetric.Rejects]: 1 },
      { [JobDimension]: job.name, [StageDimension]: 'utf8', [BatchMetric.Rejects]: 1 },
    ]);
  });

  it('publishes zeros, and no event-time lag, for a batch of rejects only; a warm container registers no partition twice', async () => {
    const store = new MemoryObjectStore();
    const catalog = catalogDouble();
    const clock = clockOf([STARTED, COMMITTED, STARTED + 10_000, STARTED + 10_050]);
    const handler = createKinesisHandler(job, { adapters: () => ({ store, catalog }), now: clock.now, onBatch: createBatchMetricsPublisher({ job: job.name }) });
    const good = streamRecord(senseHat({ count: 1, timestamp: '2026-11-23 08:15:02' }), { arrivalTime: ARRIVALS.good1 });
    const bad = streamRecord({ not: 'a reading' }, { arrivalTime: ARRIVALS.validation, sequenceNumber: '6000' });

    const [first] = await emfPrintedBy(() => handler(eventOfRecords([good], SOURCE)));
    expect(first).toMatchObject({ [BatchMetric.PartitionsRegistered]: 1, [BatchMetric.Rows]: 1 });
    const [again] = await emfPrintedBy(() => handler(eventOfRecords([good], SOURCE)));
    expect(again).toMatchObject({ [BatchMetric.PartitionsRegistered]: 0, [BatchMetric.Rows]: 1, [BatchMetric.BatchDuration]: 50 });

    const clockAfter = clockOf([STARTED, COMMITTED]);
    const rejectsOnly = createKinesisHandler(job, { adapters: () => ({ store, catalog }), now: clockAfter.now, onBatch: createBatchMetricsPublisher({ job: job.name }) });
    const [batch, ...stages] = await emfPrintedBy(() => rejectsOnly(eventOfRecords([bad], SOURCE)));
    expect(batch!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name)).toEqual(Object.keys(BATCH_METRIC_READINGS).filter((name) => name !== BatchMetric.EventTimeLag));
    expect(batch).toMatchObject({
      [BatchMetric.KinesisRecords]: 1,
      [BatchMetric.Records]: 1,
      [BatchMetric.Rows]: 0,
      [BatchMetric.Rejects]: 1,
      [BatchMetric.FilesWritten]: 0,
      [BatchMetric.PartitionsRegistered]: 0,
      [BatchMetric.DataFreshness]: COMMITTED - ARRIVALS.validation.getTime(),
    });
    expect(batch).not.toHaveProperty(BatchMetric.EventTimeLag);
    expect(stages.map((d) => [d[StageDimension], d[BatchMetric.Rejects]])).toEqual([['validation', 1]]);
  });

  it('prints nothing for a batch that failed: only committed batches are counted', async () => {
    const failing = new MemoryObjectStore();
    vi.spyOn(failing, 'put').mockRejectedValue(new Error('S3 is down'));
    const handler = createKinesisHandler(job, {
      adapters: () => ({ store: failing, catalog: catalogDouble() }),
      onBatch: createBatchMetricsPublisher({ job: job.name }),
      onError: () => undefined,
    });
    let answer: unknown;
    expect(await emfPrintedBy(async () => (answer = await handler(eventOfRecords(await knownBatch(), SOURCE))))).toEqual([]);
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: '5000' }] });
  });
});

describe('the compaction handler with the EMF compaction metrics publisher', () => {
  it("prints one document with every compaction metric of the run, valued as the run's totals", async () => {
    const ports = await localPorts();
    try {
      await seedReadings(ports, { hours: ['2026-11-20T06', '2026-11-20T07'], batches: 3, perBatch: 10 });
      const handler = createCompactionHandler(readingsJob, {
        adapters: () => ({ store: ports.store, catalog: ports.catalog }),
        now: settledClock,
        onRun: createCompactionMetricsPublisher({ job: readingsJob.name }),
      });
      let summary: Awaited<ReturnType<typeof handler>> | undefined;
      const documents = await emfPrintedBy(async () => (summary = await handler({}, { getRemainingTimeInMillis: () => 900_000 })));
      expect(summary).toMatchObject({ partitions: { compacted: 2, failed: 0 }, files: { before: 6, after: 2 } });
      expect(documents).toHaveLength(1);
      const [{ _aws, ...values }] = documents as [EmfDocument];
      expect(_aws.CloudWatchMetrics).toEqual([
        { Namespace: MetricNamespace, Dimensions: [[JobDimension]], Metrics: Object.entries(COMPACTION_METRIC_READINGS).map(([Name, reading]) => ({ Name, Unit: reading.unit })) },
      ]);
      expect(values).toEqual({
        [JobDimension]: readingsJob.name,
        [CompactionMetric.PartitionsCompacted]: 2,
        [CompactionMetric.PartitionsFailed]: 0,
        [CompactionMetric.FilesIn]: 6,
        [CompactionMetric.FilesOut]: 2,
        [CompactionMetric.BytesIn]: summary!.bytes.before,
        [CompactionMetric.BytesOut]: summary!.bytes.after,
      });
      expect(summary!.bytes.before).toBeGreaterThan(0);
      expect(summary!.bytes.after).toBeGreaterThan(0);
    } finally {
      await ports.cleanup();
    }
  });
});
