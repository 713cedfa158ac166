import { describe, expect, it } from 'vitest';
import { posix } from 'node:path';
import {
  escapePartitionValue,
  HIVE_DEFAULT_PARTITION,
  partitionPath,
  unescapePartitionValue,
} from '../../src/partition/hive-escape.ts';
import { hourPartition, isPartitionableTime } from '../../src/partition/time-partition.ts';

const hostile = [
  '../../etc/passwd',
  '..',
  '.',
  'a/b',
  'a=b',
  '100%',
  '%2F',
  'café',
  '温度计',
  '🙂',
  'tab\there',
  'new\nline',
  'back\\slash',
  'q?*:#[]{}^\'"',
  ' spaced ',
  'nul\0byte',
];

describe('Hive partition escaping', () => {
  it.each(hostile)('%j stays inside its partition folder and round-trips', (value) => {
    const segment = escapePartitionValue(value);
    expect(segment).not.toMatch(/[/=\\\0]/);
    expect(segment).not.toMatch(/[^\x20-\x7e]/);
    expect(['.', '..']).not.toContain(segment);
    const base = 'warehouse/t/year=2026/kind=';
    expect(posix.normalize(`${base}${segment}/f.parquet`).startsWith(base)).toBe(true);
    expect(unescapePartitionValue(segment)).toBe(value);
  });

  it('escapes as Hive does for its specials, as UTF-8 bytes for non-ASCII', () => {
    expect(escapePartitionValue('a/b')).toBe('a%2Fb');
    expect(escapePartitionValue('a=b')).toBe('a%3Db');
    expect(escapePartitionValue('100%')).toBe('100%25');
    expect(escapePartitionValue('café')).toBe('caf%C3%A9');
    expect(escapePartitionValue('..')).toBe('%2E%2E');
    expect(escapePartitionValue('plain-value_1.5')).toBe('plain-value_1.5');
  });

  it('distinct values never share a folder', () => {
    const segments = hostile.map(escapePartitionValue);
    expect(new Set(segments).size).toBe(hostile.length);
  });

  it('null and empty become the default partition', () => {
    expect(escapePartitionValue(null)).toBe(HIVE_DEFAULT_PARTITION);
    expect(escapePartitionValue('')).toBe(HIVE_DEFAULT_PARTITION);
    expect(unescapePartitionValue(HIVE_DEFAULT_PARTITION)).toBeNull();
  });

  it('builds key=value paths in order', () => {
    expect(partitionPath([['year', '2026'], ['kind', 'a/b']])).toBe('year=2026/kind=a%2Fb');
  });
});

describe('UTC hour partitions', () => {
  it('zero-pads and uses UTC', () => {
    expect(hourPartition(Date.UTC(2026, 0, 2, 3, 59, 59, 999))).toEqual(['2026', '01', '02', '03']);
    expect(hourPartition(Date.parse('2026-11-23T23:30:00-05:00'))).toEqual(['2026', '11', '24', '04']);
  });

  it('refuses instants that cannot be a four-digit year', () => {
    expect(isPartitionableTime(Number.NaN)).toBe(false);
    expect(isPartitionableTime(Date.parse('+010000-01-01T00:00:00Z'))).toBe(false);
    expect(isPartitionableTime(Date.UTC(2026, 0, 1))).toBe(true);
  });
});
