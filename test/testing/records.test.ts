import { describe, expect, it } from 'vitest';
import { DEFAULT_FIRST_SEQUENCE_NUMBER, DEFAULT_SHARD_ID, recordFromBytes, recordsFromLines, streamRecords } from 'sluice/testing';

const text = (data: Uint8Array): string => new TextDecoder().decode(data);

describe('streamRecords', () => {
  it("carries each value's JSON, on one shard, with consecutive sequence numbers of a real one's length", () => {
    const records = streamRecords([{ a: 1 }, [2], 'three']);
    expect(records.map((r) => text(r.data))).toEqual(['{"a":1}', '[2]', '"three"']);
    expect(new Set(records.map((r) => r.shardId))).toEqual(new Set([DEFAULT_SHARD_ID]));
    expect(DEFAULT_FIRST_SEQUENCE_NUMBER).toHaveLength(56);
    // Counted as decimal digits, not as a JavaScript number (which would round past 2^53).
    expect(records.map((r) => r.sequenceNumber)).toEqual([
      DEFAULT_FIRST_SEQUENCE_NUMBER,
      `${DEFAULT_FIRST_SEQUENCE_NUMBER.slice(0, -1)}1`,
      `${DEFAULT_FIRST_SEQUENCE_NUMBER.slice(0, -1)}2`,
    ]);
  });

  it('takes the shard, first sequence number, arrival time and interval, and partition keys', () => {
    const records = streamRecords([{}, {}, {}], {
      shardId: 'shardId-000000000003',
      firstSequenceNumber: 999n,
      arrivalTime: '2026-11-23T08:59:59.500Z',
      arrivalIntervalMs: 250,
      partitionKey: (i) => `device-${i % 2}`,
    });
    expect(records.map((r) => [r.shardId, r.sequenceNumber, r.arrivalTime.toISOString(), r.partitionKey])).toEqual([
      ['shardId-000000000003', '999', '2026-11-23T08:59:59.500Z', 'device-0'],
      ['shardId-000000000003', '1000', '2026-11-23T08:59:59.750Z', 'device-1'],
      ['shardId-000000000003', '1001', '2026-11-23T09:00:00.000Z', 'device-0'],
    ]);
    expect(streamRecords([{}], { partitionKey: 'same' })[0]!.partitionKey).toBe('same');
  });

  it('is deterministic: the same call gives the same records', () => {
    expect(streamRecords([{ a: 1 }, { b: 2 }])).toEqual(streamRecords([{ a: 1 }, { b: 2 }]));
  });

  it('refuses what cannot be a record: a value without JSON, a sequence number that is not digits, an invalid time', () => {
    expect(() => streamRecords([undefined])).toThrow(/has no JSON/);
    expect(() => streamRecords([{}], { firstSequenceNumber: '12e3' })).toThrow(/decimal digits, got '12e3'/);
    expect(() => streamRecords([{}], { arrivalTime: 'yesterday' })).toThrow(/valid Date or ISO-8601 text, got 'yesterday'/);
    expect(() => streamRecords([{}], { arrivalIntervalMs: -1 })).toThrow(/>= 0/);
  });
});

describe('recordsFromLines', () => {
  it("keeps each line's bytes as written, one record per line, a final line break adding none", () => {
    const records = recordsFromLines('{"ok":true}\n{"broken":\r\n\n', { firstSequenceNumber: '7' });
    expect(records.map((r) => text(r.data))).toEqual(['{"ok":true}', '{"broken":', '']);
    expect(records.map((r) => r.sequenceNumber)).toEqual(['7', '8', '9']);
    expect(recordsFromLines(['a', 'b']).map((r) => text(r.data))).toEqual(['a', 'b']);
  });
});

describe('recordFromBytes', () => {
  it('is one record of exactly the bytes given, with its sub-sequence number when inside a KPL aggregate', () => {
    const bytes = new Uint8Array([0xff, 0x00, 0xfe]);
    const record = recordFromBytes(bytes, { sequenceNumber: '42', subSequenceNumber: 3, shardId: 'shardId-000000000001', arrivalTime: new Date(0) });
    expect(record).toEqual({ data: bytes, shardId: 'shardId-000000000001', sequenceNumber: '42', subSequenceNumber: 3, partitionKey: 'pk-0', arrivalTime: new Date(0) });
    expect(recordFromBytes(bytes)).not.toHaveProperty('subSequenceNumber');
  });
});
