import { describe, expect, it } from 'vitest';
import { createKinesisHandler } from 'sluice/lambda';
import { kinesisEvent, memoryAdapters, runJobBatch, streamRecords } from 'sluice/testing';
import readings from '../../jobs/sensor-readings.ts';
import { senseHat } from '../helpers/records.ts';

describe('memoryAdapters', () => {
  it("lets the real handler write a batch, and reads back its files and partitions: those runJobBatch predicts", async () => {
    const records = streamRecords([senseHat({ count: 1 }), senseHat({ count: 2, timestamp: '2026-11-23 09:30:00' }), { not: 'a reading' }], { firstSequenceNumber: '1000' });
    const adapters = memoryAdapters();
    const handler = createKinesisHandler(readings, { adapters: () => adapters, onError: (error) => { throw error; } });
    expect(await handler(kinesisEvent(records, { stream: readings.source.stream }))).toEqual({ batchItemFailures: [] });
    const predicted = runJobBatch(readings, records);
    expect(await adapters.objectKeys()).toEqual([...predicted.rejectKeys, ...predicted.keys].sort());
    expect(adapters.partitions.filter((p) => p.startsWith('iot.sensor_readings '))).toEqual(predicted.partitions.map((p) => `iot.sensor_readings ${p}`));
    expect(adapters.partitions.filter((p) => p.startsWith('iot.sensor_readings_rejects '))).toEqual(['iot.sensor_readings_rejects year=2026/month=11/day=23/hour=10']);
  });

  it('keeps each partition once when it is registered again, as Glue does', async () => {
    const adapters = memoryAdapters();
    const ref = { database: 'db', name: 't' };
    const partition = { values: ['2026', '11', '23', '08'], location: 'memory://db/t/year=2026/month=11/day=23/hour=08/' };
    await adapters.catalog.registerPartitions(ref, [partition]);
    await adapters.catalog.registerPartitions(ref, [partition]);
    expect(await adapters.catalog.listPartitions(ref)).toEqual([partition]);
    expect(adapters.partitions).toEqual(['db.t year=2026/month=11/day=23/hour=08', 'db.t year=2026/month=11/day=23/hour=08']);
  });
});
