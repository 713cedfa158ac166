import { describe, expect, it } from 'vitest';
import { recordFromBytes, recordsFromLines, RejectStage, runJobBatch, streamRecords } from 'sluice/testing';
import activity from '../../jobs/device-activity.ts';
import hourly from '../../jobs/sensor-hourly.ts';
import readings from '../../jobs/sensor-readings.ts';
import { runBatch } from '../../src/pipeline/run-batch.ts';
import { senseHat } from '../helpers/records.ts';

describe('runJobBatch', () => {
  it("gives the rows the table gets, typed by the row schema, with their partitions and the files' keys", () => {
    const records = streamRecords([senseHat({ client_id: 'rpi-a', temperature: 20 }), senseHat({ client_id: 'rpi-b', timestamp: '2026-11-23 09:00:01', temperature: 25 })], {
      firstSequenceNumber: '1000',
    });
    const batch = runJobBatch(readings, records);
    expect(batch.rows.map((r) => [r.device_id, r.temperature_f, r.event_time.toISOString()])).toEqual([
      ['rpi-a', 68, '2026-11-23T08:15:02.000Z'],
      ['rpi-b', 77, '2026-11-23T09:00:01.000Z'],
    ]);
    expect(batch.partitions).toEqual(['year=2026/month=11/day=23/hour=08', 'year=2026/month=11/day=23/hour=09']);
    expect(batch.keys).toEqual([
      'iot/sensor_readings/year=2026/month=11/day=23/hour=08/shardId-000000000000-1000.parquet',
      'iot/sensor_readings/year=2026/month=11/day=23/hour=09/shardId-000000000000-1001.parquet',
    ]);
    expect(batch.rejects).toEqual([]);
    expect(batch.rejectKeys).toEqual([]);
    expect(batch).not.toHaveProperty('partials');
  });

  it('is what the pipeline itself makes of the batch: same keys and rows', () => {
    const records = streamRecords([senseHat({ count: 1 }), senseHat({ count: 2, timestamp: '2026-11-23 11:00:00' }), { not: 'a reading' }]);
    const batch = runJobBatch(readings, records);
    const pipeline = runBatch(readings, records);
    expect(batch.keys).toEqual(pipeline.files.map((f) => f.key));
    expect(batch.rows).toEqual(pipeline.files.flatMap((f) => f.rows));
    expect(batch.rejectKeys).toEqual(pipeline.rejectFiles.map((f) => f.key));
  });

  it('returns each bad record as a reject with its stage, reason, record and text, never throwing', () => {
    const lines = recordsFromLines([JSON.stringify(senseHat()), '{"client_id":', JSON.stringify(senseHat({ temperature: 'hot' }))], { firstSequenceNumber: '1' });
    const invalidUtf8 = recordFromBytes(new Uint8Array([0xff, 0xfe]), { sequenceNumber: '4' });
    const { rows, rejects, rejectKeys } = runJobBatch(readings, [...lines, invalidUtf8]);
    expect(rows).toHaveLength(1);
    expect(rejects.map((r) => [r.record.sequenceNumber, r.stage])).toEqual([
      ['2', RejectStage.Json],
      ['3', RejectStage.Validation],
      ['4', RejectStage.Utf8],
    ]);
    expect(rejects[1]!.reason).toMatch(/temperature/);
    expect(rejects[1]!.text).toBe(JSON.stringify(senseHat({ temperature: 'hot' })));
    expect(rejects[0]!.text).toBe('{"client_id":');
    expect(rejectKeys).toEqual(['iot/_rejects/sensor_readings/year=2026/month=11/day=23/hour=10/shardId-000000000000-2.ndjson']);
  });

  it("runs each shard's records as a batch of their own, as the event source mapping delivers them", () => {
    const records = [
      ...streamRecords([senseHat({ count: 1 })], { shardId: 'shardId-000000000000', firstSequenceNumber: '10' }),
      ...streamRecords([senseHat({ count: 2 })], { shardId: 'shardId-000000000001', firstSequenceNumber: '10' }),
    ];
    const { keys, partitions, rows } = runJobBatch(readings, records);
    expect(keys).toEqual([
      'iot/sensor_readings/year=2026/month=11/day=23/hour=08/shardId-000000000000-10.parquet',
      'iot/sensor_readings/year=2026/month=11/day=23/hour=08/shardId-000000000001-10.parquet',
    ]);
    expect(partitions).toEqual(['year=2026/month=11/day=23/hour=08']);
    expect(rows.map((r) => r.reading_seq)).toEqual([1, 2]);
  });

  it("names a partition key's value in the partition path", () => {
    const event = { uuid: '0b4f6f35-5bb3-4f6e-9a2c-6b1d2f3e4a5b', device_ts: '2026-11-23 08:15:02.123456', device_id: 7, device_temp: 36.6, track_id: 3, activity_type: 'walking' };
    const { partitions, files } = runJobBatch(activity, streamRecords([event]));
    expect(partitions).toEqual(['year=2026/month=11/day=23/hour=08/activity_type=walking']);
    expect(files[0]!.values).toEqual(['2026', '11', '23', '08', 'walking']);
  });

  it('gives an aggregate job its rows and the partial aggregates its table stores', () => {
    const { rows, partials } = runJobBatch(hourly, streamRecords([senseHat({ temperature: 20 }), senseHat({ temperature: 22, count: 2 })]));
    expect(rows).toHaveLength(2);
    expect(partials).toHaveLength(1);
    expect(partials![0]).toMatchObject({ device_id: 'rpi-sensehat-001' });
  });
});
