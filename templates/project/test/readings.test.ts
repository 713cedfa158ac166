import { describe, expect, it } from 'vitest';
import { createKinesisHandler } from 'sluice/lambda';
import { kinesisEvent, memoryAdapters, recordsFromLines, RejectStage, runJobBatch, streamRecords } from 'sluice/testing';
import job from '../jobs/readings.ts';

/** A message as a device sends it; each test changes what it is about. */
const message = (overrides: Record<string, unknown> = {}) => ({
  client_id: 'rpi-kitchen',
  timestamp: '2026-11-23 08:15:02',
  humidity: 41.5,
  temperature: 20,
  pressure: 1012.5,
  pitch: 1.5,
  roll: 2.5,
  yaw: 359.5,
  count: 1,
  ...overrides,
});

describe('readings', () => {
  it('turns a message into a row in the hour of the reading', () => {
    const { rows, partitions, keys } = runJobBatch(job, streamRecords([message()], { firstSequenceNumber: '1000' }));
    expect(rows).toEqual([
      expect.objectContaining({ device_id: 'rpi-kitchen', reading_seq: 1, temperature_c: 20, temperature_f: 68, event_time: new Date('2026-11-23T08:15:02Z') }),
    ]);
    expect(partitions).toEqual(['year=2026/month=11/day=23/hour=08']);
    expect(keys).toEqual(['telemetry/readings/year=2026/month=11/day=23/hour=08/shardId-000000000000-1000.parquet']);
  });

  it('drops readings of a disconnected probe', () => {
    const { rows, rejects } = runJobBatch(job, streamRecords([message({ temperature: -100 })]));
    expect(rows).toEqual([]);
    expect(rejects).toEqual([]);
  });

  it('rejects what is not a reading, saying why, and keeps the good ones', () => {
    const lines = [JSON.stringify(message()), '{"client_id":', JSON.stringify(message({ temperature: 'warm' }))];
    const { rows, rejects } = runJobBatch(job, recordsFromLines(lines));
    expect(rows).toHaveLength(1);
    expect(rejects.map((r) => r.stage)).toEqual([RejectStage.Json, RejectStage.Validation]);
    expect(rejects[1]!.reason).toContain('temperature');
  });

  it('writes the batch through the Lambda handler: the files and partitions runJobBatch predicts', async () => {
    const records = streamRecords([message(), message({ count: 2, timestamp: '2026-11-23 09:00:01' })]);
    const adapters = memoryAdapters();
    const handler = createKinesisHandler(job, { adapters: () => adapters });
    expect(await handler(kinesisEvent(records, { stream: job.source.stream }))).toEqual({ batchItemFailures: [] });
    const { keys, partitions } = runJobBatch(job, records);
    expect(await adapters.objectKeys()).toEqual(keys);
    expect(adapters.partitions).toEqual(partitions.map((p) => `telemetry.readings ${p}`));
  });
});
