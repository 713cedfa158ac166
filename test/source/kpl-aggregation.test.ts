import { describe, expect, it } from 'vitest';
import { deaggregate, isAggregated } from '../../src/decode/kpl-aggregation.ts';
import { runBatch } from '../../src/pipeline/run-batch.ts';
import sensorReadings from '../../jobs/sensor-readings.ts';
import { kplAggregate } from '../helpers/kpl.ts';
import { senseHat, streamRecord } from '../helpers/records.ts';

const enc = new TextEncoder();

describe('KPL de-aggregation against aws-kinesis-agg', () => {
  it('recovers every sub-record with its partition key, data and sub-sequence number', async () => {
    const users = Array.from({ length: 25 }, (_, i) => ({ partitionKey: `device-${i % 4}`, data: enc.encode(JSON.stringify({ i, text: 'ünï 🙂' })) }));
    const [aggregate, ...more] = await kplAggregate(users);
    expect(more).toEqual([]);
    expect(isAggregated(aggregate!.data)).toBe(true);
    const result = deaggregate(streamRecord(null, { data: aggregate!.data, sequenceNumber: '777', partitionKey: aggregate!.partitionKey }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.records.map((r) => r.partitionKey)).toEqual(users.map((u) => u.partitionKey));
    expect(result.records.map((r) => new TextDecoder().decode(r.data))).toEqual(users.map((u) => new TextDecoder().decode(u.data)));
    expect(result.records.map((r) => r.subSequenceNumber)).toEqual(users.map((_, i) => i));
    expect(new Set(result.records.map((r) => r.sequenceNumber))).toEqual(new Set(['777']));
  });

  it('passes plain records through untouched', () => {
    const plain = streamRecord({ a: 1 });
    expect(deaggregate(plain)).toEqual({ ok: true, records: [plain] });
  });

  it('reports a corrupt checksum and a truncated aggregate', async () => {
    const [aggregate] = await kplAggregate([{ partitionKey: 'p', data: enc.encode('{"a":1}') }, { partitionKey: 'q', data: enc.encode('{"a":2}') }]);
    const flipped = new Uint8Array(aggregate!.data);
    flipped[10] = flipped[10]! ^ 0xff;
    const bad = deaggregate(streamRecord(null, { data: flipped }));
    expect(bad).toEqual({ ok: false, reason: expect.stringContaining('MD5 checksum does not match') });
    const short = deaggregate(streamRecord(null, { data: aggregate!.data.subarray(0, 12) }));
    expect(short.ok).toBe(false);
  });

  it('runBatch gives each sub-record its own identity in keys and rejects, and rejects a corrupt aggregate', async () => {
    const users = [
      { partitionKey: 'rpi-1', data: enc.encode(JSON.stringify(senseHat({ count: 1, timestamp: '2026-11-23 09:00:00' }))) },
      { partitionKey: 'rpi-1', data: enc.encode(JSON.stringify(senseHat({ count: 2, timestamp: '2026-11-23 08:00:00' }))) },
      { partitionKey: 'rpi-1', data: enc.encode('{"not": "a reading"}') },
    ];
    const [aggregate] = await kplAggregate(users);
    const corrupt = new Uint8Array(aggregate!.data);
    corrupt[corrupt.length - 1] = corrupt[corrupt.length - 1]! ^ 1;
    const out = runBatch(sensorReadings, [
      streamRecord(null, { data: aggregate!.data, sequenceNumber: '500' }),
      streamRecord(null, { data: corrupt, sequenceNumber: '501' }),
    ]);
    expect(out.files.map((f) => f.key.split('/').at(-1))).toEqual([
      'shardId-000000000000-500-00000.parquet',
      'shardId-000000000000-500-00001.parquet',
    ]);
    const rejects = out.rejectFiles.flatMap((f) => f.rejects);
    expect(rejects.map((r) => [r.record.sequenceNumber, r.record.subSequenceNumber, r.stage])).toEqual([
      ['500', 2, 'validation'],
      ['501', undefined, 'kpl'],
    ]);
    expect(out.rejectFiles[0]!.key.endsWith('shardId-000000000000-500-00002.ndjson')).toBe(true);
  });
});
