import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import sensorReadings from '../../jobs/sensor-readings.ts';
import deviceActivity from '../../jobs/device-activity.ts';
import { defineJob, hourOf, kinesisStream, table, arrivalHour } from '../../src/index.ts';
import { runBatch } from '../../src/pipeline/run-batch.ts';
import { decodeRejects, encodeRejects } from '../../src/format/rejects-ndjson.ts';
import { senseHat, streamRecord, streamRecords } from '../helpers/records.ts';

describe('runBatch', () => {
  it('turns records into rows grouped by event hour, keyed by the first record of each file', () => {
    const records = streamRecords([
      senseHat({ count: 1, timestamp: '2026-11-23 08:00:00' }),
      senseHat({ count: 2, timestamp: '2026-11-23 09:00:00' }),
      senseHat({ count: 3, timestamp: '2026-11-23 08:59:59' }),
    ]);
    const out = runBatch(sensorReadings, records);
    expect(out.rows).toBe(3);
    expect(out.rejects).toBe(0);
    expect(out.files.map((f) => f.key)).toEqual([
      'iot/sensor_readings/year=2026/month=11/day=23/hour=08/shardId-000000000000-1000.parquet',
      'iot/sensor_readings/year=2026/month=11/day=23/hour=09/shardId-000000000000-1001.parquet',
    ]);
    expect(out.files[0]!.rows.map((r) => r['reading_seq'])).toEqual([1, 3]);
    expect(out.files[0]!.values).toEqual(['2026', '11', '23', '08']);
    const row = out.files[1]!.rows[0]!;
    expect(row['event_time']).toEqual(new Date('2026-11-23T09:00:00Z'));
    expect(row['temperature_f']).toBe(70.25);
    expect(row['orientation']).toEqual({ pitch: 1.5, roll: 2.5, yaw: 359.5 });
  });

  it('is deterministic: the same batch gives the same keys and rows', () => {
    const records = streamRecords(Array.from({ length: 50 }, (_, i) => senseHat({ count: i, timestamp: `2026-11-23 0${i % 4}:00:00` })));
    expect(JSON.stringify(runBatch(sensorReadings, records))).toBe(JSON.stringify(runBatch(sensorReadings, records)));
  });

  it('a retried batch starting at the same record gives a prefix-consistent file under the same key', () => {
    const records = streamRecords(Array.from({ length: 20 }, (_, i) => senseHat({ count: i, timestamp: `2026-11-23 0${i % 3}:00:00` })));
    const full = runBatch(sensorReadings, records);
    const shorter = runBatch(sensorReadings, records.slice(0, 11));
    for (const file of shorter.files) {
      const same = full.files.find((f) => f.key === file.key)!;
      expect(same).toBeDefined();
      expect(same.rows.slice(0, file.rows.length)).toEqual(file.rows);
    }
  });

  it('sends every kind of bad record to rejects with a reason, and keeps the good ones', () => {
    const arrival = new Date('2026-11-23T10:20:30Z');
    const records = [
      streamRecord(senseHat({ count: 1 }), { sequenceNumber: '1' }),
      streamRecord(null, { sequenceNumber: '2', data: new Uint8Array([0xc3, 0x28]) }),
      streamRecord(null, { sequenceNumber: '3', data: new TextEncoder().encode('{"client_id": ') }),
      streamRecord(senseHat({ temperature: 'hot' }), { sequenceNumber: '4' }),
      streamRecord(senseHat({ timestamp: '2026-02-30 10:00:00' }), { sequenceNumber: '5' }),
      streamRecord(senseHat({ count: 6 }), { sequenceNumber: '6' }),
    ];
    const out = runBatch(sensorReadings, records);
    expect(out.rows).toBe(2);
    expect(out.rejects).toBe(4);
    expect(out.rejectFiles).toHaveLength(1);
    const file = out.rejectFiles[0]!;
    expect(file.key).toBe('iot/_rejects/sensor_readings/year=2026/month=11/day=23/hour=10/shardId-000000000000-2.ndjson');
    const lines = decodeRejects(encodeRejects('sensor-readings', file.rejects));
    expect(lines.map((l) => [l.sequenceNumber, l.stage])).toEqual([
      ['2', 'utf8'],
      ['3', 'json'],
      ['4', 'validation'],
      ['5', 'step'],
    ]);
    expect(lines[2]!.reason).toContain('temperature: ');
    expect(lines[3]!.reason).toContain("step 'to-row' threw: unparseable device time '2026-02-30 10:00:00'");
    expect(Buffer.from(lines[0]!.data, 'base64')).toEqual(Buffer.from([0xc3, 0x28]));
    expect(lines[0]).toMatchObject({ job: 'sensor-readings', shardId: 'shardId-000000000000', partitionKey: 'pk', arrivalTime: arrival.toISOString() });
  });

  it('rejects rows that break the row schema and unusable event times, naming the field', () => {
    const Row = z.object({ id: z.string(), at: z.date().nullable(), n: z.number().int() });
    const job = defineJob({
      name: 'row-checks',
      source: kinesisStream({ stream: 's', records: z.object({ id: z.string(), at: z.string().nullable(), n: z.number() }) }),
      steps: (s) => s.map((m) => ({ id: m.id, at: m.at === null ? null : new Date(m.at), n: m.n })),
      output: table({ database: 'd', name: 't', rows: Row, partitionBy: hourOf('at') }),
    });
    const out = runBatch(job, streamRecords([
      { id: 'ok', at: '2026-01-01T00:00:00Z', n: 1 },
      { id: 'frac', at: '2026-01-01T00:00:00Z', n: 1.5 },
      { id: 'null-time', at: null, n: 1 },
      { id: 'bad-time', at: 'soon', n: 1 },
    ]));
    expect(out.rows).toBe(1);
    const reasons = out.rejectFiles.flatMap((f) => f.rejects.map((r) => `${r.stage}: ${r.reason}`));
    expect(reasons[0]).toMatch(/^row: output #1 does not match the row schema: n: /);
    expect(reasons[1]).toMatch(/^event-time: .*'at' is not a usable timestamp \(got null\)/);
    expect(reasons[2]).toMatch(/^row: .*at: /);
  });

  it('keeps or rejects all outputs of one record together (flatMap)', () => {
    const Row = z.object({ v: z.number().int(), at: z.date() });
    const job = defineJob({
      name: 'flat',
      source: kinesisStream({ stream: 's', records: z.object({ vs: z.array(z.number()) }) }),
      steps: (s) => s.flatMap((m) => m.vs.map((v) => ({ v, at: new Date(0) }))),
      output: table({ database: 'd', name: 't', rows: Row, partitionBy: hourOf('at') }),
    });
    const out = runBatch(job, streamRecords([{ vs: [1, 2, 3] }, { vs: [4, 4.5, 6] }, { vs: [] }]));
    expect(out.files.flatMap((f) => f.rows.map((r) => r['v']))).toEqual([1, 2, 3]);
    expect(out.rejects).toBe(1);
    expect(out.rejectFiles[0]!.rejects[0]!.reason).toContain('output #2');
  });

  it('escapes extra partition keys from field values and drops nothing', () => {
    const records = streamRecords(
      ['walking', '../../escape', 'café/ü', ''].map((activity, i) => ({
        uuid: `00000000-0000-4000-8000-00000000000${i}`,
        device_ts: '2026-11-23 08:00:00.123456',
        device_id: i,
        device_temp: 30,
        track_id: 7,
        activity_type: activity || 'x',
      })),
    );
    const out = runBatch(deviceActivity, records);
    expect(out.files.map((f) => f.path)).toEqual([
      'year=2026/month=11/day=23/hour=08/activity_type=walking',
      'year=2026/month=11/day=23/hour=08/activity_type=..%2F..%2Fescape',
      'year=2026/month=11/day=23/hour=08/activity_type=caf%C3%A9%2F%C3%BC',
      'year=2026/month=11/day=23/hour=08/activity_type=x',
    ]);
    expect(out.files[2]!.values.at(-1)).toBe('café/ü');
    expect(out.files[0]!.rows[0]!['event_time']).toEqual(new Date('2026-11-23T08:00:00.123Z'));
  });

  it('partitions by arrival hour when asked', () => {
    const job = defineJob({
      name: 'arrivals',
      source: kinesisStream({ stream: 's', records: z.object({ id: z.string() }) }),
      steps: (s) => s,
      output: table({ database: 'd', name: 't', rows: z.object({ id: z.string() }), partitionBy: arrivalHour() }),
    });
    const out = runBatch(job, [streamRecord({ id: 'a' }, { arrivalTime: new Date('2026-03-04T05:06:07Z') })]);
    expect(out.files[0]!.path).toBe('year=2026/month=03/day=04/hour=05');
  });
});
