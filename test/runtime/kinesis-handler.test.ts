import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import job from '../../jobs/sensor-readings.ts';
import type { Catalog, PartitionDescriptor, TableRef } from '../../src/catalog/catalog.ts';
import { ObjectStoreError } from '../../src/errors.ts';
import { eventOfRecords, recordsOfEvent } from '../../src/runtime/lambda/kinesis-event.ts';
import { createKinesisHandler, PrepareAdapters } from '../../src/runtime/lambda/kinesis-handler.ts';
import { MemoryObjectStore } from '../../src/store/memory-object-store.ts';
import { kplAggregate } from '../helpers/kpl.ts';
import { senseHat, streamRecords } from '../helpers/records.ts';

const SOURCE = { streamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/iot-sensor', region: 'eu-west-1', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:f' };

function catalogDouble(): Catalog & { registered: string[]; calls: number } {
  const c = {
    registered: [] as string[],
    calls: 0,
    ensureTable: async () => undefined,
    registerPartitions: async (ref: TableRef, ps: readonly PartitionDescriptor[]) => {
      c.calls++;
      c.registered.push(...ps.map((p) => `${ref.name}:${p.values.join('/')}`));
    },
    setPartitionLocations: async () => undefined,
    getTable: async () => undefined,
    listTables: async () => [],
    listPartitions: async () => [],
  };
  return c;
}

describe('Kinesis Lambda handler', () => {
  const records = streamRecords([
    senseHat({ count: 1, timestamp: '2026-11-23 08:00:00' }),
    senseHat({ count: 2, timestamp: '2026-11-23 09:00:00' }),
    { not: 'a reading' },
  ]);

  it('round-trips the event shape: base64 data, shard from eventID, arrival time in seconds', () => {
    const event = eventOfRecords(records, SOURCE);
    expect(event.Records[0]!.eventID).toBe(`shardId-000000000000:1000`);
    expect(event.Records[0]!.kinesis.approximateArrivalTimestamp).toBe(records[0]!.arrivalTime.getTime() / 1000);
    expect(recordsOfEvent(event)).toEqual(records);
  });

  it('decodes every record to exactly its own bytes, whatever their lengths (one buffer for the batch)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 70 }), { minLength: 1, maxLength: 40 }), (datas) => {
        const event = eventOfRecords(
          datas.map((data, i) => ({ ...records[0]!, data, sequenceNumber: String(1000 + i) })),
          SOURCE,
        );
        const decoded = recordsOfEvent(event);
        expect(decoded.map((r) => [...r.data])).toEqual(datas.map((d) => [...d]));
        // Views of one buffer must not overlap: writing one record's bytes leaves the others alone.
        decoded.forEach((r, i) => r.data.fill(i));
        expect(decoded.every((r, i) => r.data.every((b) => b === i))).toBe(true);
      }),
    );
  });

  it('writes files and rejects, registers partitions once per warm container, answers success', async () => {
    const store = new MemoryObjectStore();
    const catalog = catalogDouble();
    let coldStarts = 0;
    const handler = createKinesisHandler(job, { adapters: () => (coldStarts++, { store, catalog }) });
    expect(await handler(eventOfRecords(records, SOURCE))).toEqual({ batchItemFailures: [] });
    expect(await handler(eventOfRecords(records, SOURCE))).toEqual({ batchItemFailures: [] });
    expect(coldStarts).toBe(1);
    // One call for the table's partitions, one for its rejects table's arrival hour: once per warm container.
    expect(catalog.calls).toBe(2);
    expect(catalog.registered).toEqual(['sensor_readings:2026/11/23/08', 'sensor_readings:2026/11/23/09', 'sensor_readings_rejects:2026/11/23/10']);
    const keys: string[] = [];
    for await (const o of store.list('')) keys.push(o.key);
    expect(keys).toEqual([
      'iot/_rejects/sensor_readings/year=2026/month=11/day=23/hour=10/shardId-000000000000-1002.ndjson',
      'iot/sensor_readings/year=2026/month=11/day=23/hour=08/shardId-000000000000-1000.parquet',
      'iot/sensor_readings/year=2026/month=11/day=23/hour=09/shardId-000000000000-1001.parquet',
    ]);
  });

  it('reports the first sequence number on an infrastructure failure, and nothing is half-answered', async () => {
    const store = new MemoryObjectStore();
    const failing = Object.assign(Object.create(store) as MemoryObjectStore, {
      put: async () => {
        throw new ObjectStoreError('S3 unavailable');
      },
    });
    const errors: unknown[] = [];
    const handler = createKinesisHandler(job, { adapters: () => ({ store: failing, catalog: catalogDouble() }), onError: (e) => errors.push(e) });
    expect(await handler(eventOfRecords(records, SOURCE))).toEqual({ batchItemFailures: [{ itemIdentifier: '1000' }] });
    expect(String(errors[0])).toMatch(/job 'sensor-readings', shard shardId-000000000000 1000\.\.1002: batch not committed.*S3 unavailable/);
  });

  it('retries a failed cold start on the next invocation', async () => {
    let attempts = 0;
    const handler = createKinesisHandler(job, {
      adapters: () => {
        if (++attempts === 1) throw new Error('credentials not ready');
        return { store: new MemoryObjectStore(), catalog: catalogDouble() };
      },
      onError: () => undefined,
    });
    expect((await handler(eventOfRecords(records, SOURCE))).batchItemFailures).toHaveLength(1);
    expect((await handler(eventOfRecords(records, SOURCE))).batchItemFailures).toHaveLength(0);
  });

  it('builds its adapters as it is created when asked to (Lambda init), and the first invocation retries a failure there', async () => {
    let attempts = 0;
    const errors: unknown[] = [];
    const handler = createKinesisHandler(job, {
      adapters: () => {
        if (++attempts === 1) throw new Error('credentials not ready');
        return { store: new MemoryObjectStore(), catalog: catalogDouble() };
      },
      prepare: PrepareAdapters.AtInit,
      onError: (e) => errors.push(e),
    });
    expect(attempts).toBe(1);
    expect((await handler(eventOfRecords(records, SOURCE))).batchItemFailures).toHaveLength(0);
    expect(attempts).toBe(2);
    expect(errors).toEqual([]);

    let built = 0;
    const ready = createKinesisHandler(job, { adapters: () => (built++, { store: new MemoryObjectStore(), catalog: catalogDouble() }), prepare: PrepareAdapters.AtInit });
    expect(built).toBe(1);
    expect((await ready(eventOfRecords(records, SOURCE))).batchItemFailures).toHaveLength(0);
    expect(built).toBe(1);
  });

  it('de-aggregates KPL records arriving in a Lambda event', async () => {
    const enc = new TextEncoder();
    const [aggregate] = await kplAggregate([1, 2, 3].map((n) => ({ partitionKey: 'rpi', data: enc.encode(JSON.stringify(senseHat({ count: n }))) })));
    const store = new MemoryObjectStore();
    const handler = createKinesisHandler(job, { adapters: () => ({ store, catalog: catalogDouble() }) });
    const event = eventOfRecords([{ ...records[0]!, data: aggregate!.data, sequenceNumber: '777' }], SOURCE);
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    const keys: string[] = [];
    for await (const o of store.list('iot/sensor_readings/')) keys.push(o.key);
    expect(keys).toEqual(['iot/sensor_readings/year=2026/month=11/day=23/hour=08/shardId-000000000000-777-00000.parquet']);
  });

  it('an empty event is a success', async () => {
    const handler = createKinesisHandler(job, { adapters: () => ({ store: new MemoryObjectStore(), catalog: catalogDouble() }) });
    expect(await handler({ Records: [] })).toEqual({ batchItemFailures: [] });
  });
});
