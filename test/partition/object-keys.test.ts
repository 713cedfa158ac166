import { describe, expect, it } from 'vitest';
import { dataFileKey, rejectFileKey } from '../../src/partition/object-keys.ts';
import { compareSequenceNumbers, recordId } from '../../src/decode/stream-record.ts';

const parts = {
  prefix: 'iot',
  table: 'sensor_readings',
  partitionPath: 'year=2026/month=01/day=02/hour=03',
  shardId: 'shardId-000000000001',
  firstRecordId: '49590338271490256608559692538361571095921575989136588898',
};

describe('object keys', () => {
  it('names data files by shard and first record', () => {
    expect(dataFileKey(parts)).toBe(
      'iot/sensor_readings/year=2026/month=01/day=02/hour=03/shardId-000000000001-49590338271490256608559692538361571095921575989136588898.parquet',
    );
  });

  it('puts rejects under _rejects/<table>', () => {
    expect(rejectFileKey(parts)).toBe(
      'iot/_rejects/sensor_readings/year=2026/month=01/day=02/hour=03/shardId-000000000001-49590338271490256608559692538361571095921575989136588898.ndjson',
    );
  });

  it('gives KPL sub-records a distinct, sortable identity', () => {
    expect(recordId({ sequenceNumber: '42' })).toBe('42');
    expect(recordId({ sequenceNumber: '42', subSequenceNumber: 3 })).toBe('42-00003');
    expect(recordId({ sequenceNumber: '42', subSequenceNumber: 3 })).not.toBe(recordId({ sequenceNumber: '42', subSequenceNumber: 4 }));
  });

  it('compares sequence numbers numerically', () => {
    expect(compareSequenceNumbers('9', '10')).toBeLessThan(0);
    expect(compareSequenceNumbers('49590338271490256608559692538361571095921575989136588898', '49590338271490256608559692538361571095921575989136588899')).toBeLessThan(0);
    expect(compareSequenceNumbers('7', '7')).toBe(0);
  });
});
