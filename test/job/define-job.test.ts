import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob, hourOf, JobDefinitionError, kinesisStream, table } from '../../src/index.ts';

const In = z.object({ id: z.string(), at: z.string() });
const Row = z.object({ id: z.string(), at: z.date(), kind: z.string() });

const base = () => ({
  name: 'good-job',
  source: kinesisStream({ stream: 'events', records: In }),
  steps: (s: Parameters<Parameters<typeof defineJob<typeof In, typeof Row>>[0]['steps']>[0]) =>
    s.map((m) => ({ id: m.id, at: new Date(m.at), kind: 'k' })),
  output: table({ database: 'db', name: 'events', rows: Row, partitionBy: hourOf('at') }),
});

const failsWith = (patch: Record<string, unknown>, message: RegExp) => {
  const fn = () => defineJob({ ...base(), ...patch } as never);
  expect(fn).toThrow(JobDefinitionError);
  expect(fn).toThrow(message);
};

describe('defineJob load-time validation', () => {
  it('accepts a good job and resolves its columns and partition keys', () => {
    const job = defineJob({ ...base(), output: table({ database: 'db', name: 'events', rows: Row, partitionBy: hourOf('at'), partitionKeys: ['kind'] }) });
    expect(job.output.columns.map((c) => c.name)).toEqual(['id', 'at', 'kind']);
    expect(job.output.dataColumns.map((c) => c.name)).toEqual(['id', 'at']);
    expect(job.output.allPartitionKeys).toEqual(['year', 'month', 'day', 'hour', 'kind']);
    expect(job.output.compression).toBe('zstd');
    expect(job.output.prefix).toBe('db');
    expect(job.batch).toEqual({ size: 1000, windowSeconds: 1, parallelizationFactor: 1, startingPosition: 'TRIM_HORIZON' });
    expect(job.retry).toEqual({ maxAttempts: -1, maxRecordAgeSeconds: 21_600, bisectOnError: true });
  });

  it('names the job name rule', () => failsWith({ name: 'Bad Name' }, /name: use lowercase letters, digits and "-"/));

  it('names the table field and the Glue rule', () => {
    failsWith({ output: table({ database: 'db', name: 'Events-Table', rows: Row, partitionBy: hourOf('at') }) }, /output\.name 'Events-Table': Glue names/);
  });

  it('names an unsupported row field and its fix', () => {
    const Bad = z.object({ id: z.string(), at: z.date(), tags: z.record(z.string(), z.string()) });
    failsWith(
      { output: table({ database: 'db', name: 'events', rows: Bad, partitionBy: hourOf('at') }) },
      /output\.rows: field 'tags': zod type 'record' has no Parquet\/Glue column mapping; declare the keys with z\.object/,
    );
  });

  it('refuses a partition field that is not a timestamp', () => {
    failsWith({ output: table({ database: 'db', name: 'events', rows: Row, partitionBy: hourOf('id' as 'at') }) }, /hourOf\('id'\): the field is string; declare it z\.date\(\)/);
    failsWith({ output: table({ database: 'db', name: 'events', rows: Row, partitionBy: hourOf('nope' as 'at') }) }, /hourOf\('nope'\): no such field/);
  });

  it('refuses columns named like the time partition keys', () => {
    const Clash = z.object({ at: z.date(), hour: z.number() });
    failsWith({ output: table({ database: 'db', name: 'events', rows: Clash, partitionBy: hourOf('at') }) }, /field 'hour': year, month, day and hour are the partition keys/);
  });

  it('refuses column names Athena cannot match', () => {
    const Upper = z.object({ at: z.date(), deviceId: z.string() });
    failsWith({ output: table({ database: 'db', name: 'events', rows: Upper, partitionBy: hourOf('at') }) }, /field 'deviceId'.*rename it \(e\.g\. 'deviceid'\)/);
  });

  it('refuses bad partition keys and batch settings', () => {
    failsWith({ output: table({ database: 'db', name: 'events', rows: Row, partitionBy: hourOf('at'), partitionKeys: ['at' as 'kind'] }) }, /partitionKeys 'at': a timestamp field cannot name a partition/);
    failsWith({ batch: { size: 20_000 } }, /batch\.size 20000: use a whole number from 1 to 10000/);
    failsWith({ batch: { windowSeconds: -1 } }, /batch\.windowSeconds -1/);
    failsWith({ batch: { parallelizationFactor: 11 } }, /batch\.parallelizationFactor 11: use a whole number from 1 to 10/);
    failsWith({ retry: { maxRecordAgeSeconds: 30 } }, /retry\.maxRecordAgeSeconds 30: use 60 to 604800 seconds, or -1/);
    failsWith({ retry: { maxAttempts: -2 } }, /retry\.maxAttempts -2/);
    failsWith({ output: { ...table({ database: 'db', name: 'events', rows: Row, partitionBy: hourOf('at') }), compression: 'lzo' } }, /compression 'lzo': use one of zstd/);
  });

  it('requires a steps function returning the chain', () => {
    failsWith({ steps: undefined }, /steps: give a function/);
    failsWith({ steps: () => [] }, /steps: the function must return the chain/);
  });
});
