import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import sensorReadings from '../../jobs/sensor-readings.ts';
import { athenaDdl } from '../../src/catalog/athena-ddl.ts';
import { glueTableInput } from '../../src/catalog/glue-table-input.ts';
import { LocalCatalog } from '../../src/catalog/local-catalog.ts';
import { projectionProperties } from '../../src/catalog/partition-projection.ts';
import { openQueryEngine } from '../../src/catalog/query-engine.ts';
import { defineJob, hourOf, JobDefinitionError, kinesisStream, table } from '../../src/index.ts';
import { createBatchProcessor } from '../../src/runtime/batch-processor.ts';
import { tableDescriptor } from '../../src/runtime/table-descriptor.ts';
import { LocalFolderStore } from '../../src/store/local-folder-store.ts';
import { glueType } from '../../src/schema/glue-types.ts';
import { streamRecords } from '../helpers/records.ts';

const Row = z.object({ id: z.string(), at: z.date(), kind: z.string(), tags: z.array(z.string()) });
const projectedJob = defineJob({
  name: 'projected',
  source: kinesisStream({ stream: 's', records: z.object({ id: z.string(), at: z.string(), kind: z.string() }) }),
  steps: (s) => s.map((m) => ({ id: m.id, at: new Date(m.at), kind: m.kind, tags: [] })),
  output: table({
    database: 'db',
    name: 'events',
    rows: Row,
    partitionBy: hourOf('at'),
    partitionKeys: ['kind'],
    projection: { years: { from: 2024, to: 2030 }, keys: { kind: { type: 'enum', values: ['a', 'b'] } } },
  }),
});

describe('Athena DDL', () => {
  it('declares exactly the Glue table: columns, string partition keys, SerDe, location, properties', () => {
    const descriptor = tableDescriptor(sensorReadings, { locationOf: (key) => `s3://bucket/${key}` });
    const input = glueTableInput(descriptor, { compression: 'zstd' });
    const ddl = athenaDdl('iot', input);
    expect(ddl).toContain('CREATE EXTERNAL TABLE IF NOT EXISTS `iot`.`sensor_readings` (');
    const declared = [...ddl.matchAll(/^  `([a-z_]+)` (.+?),?$/gm)].map((m) => ({ Name: m[1], Type: m[2] }));
    expect(declared).toEqual(input.StorageDescriptor!.Columns!.map((c) => ({ Name: c.Name, Type: c.Type })));
    for (const column of descriptor.columns) expect(ddl).toContain(`  \`${column.name}\` ${glueType(column.type)}`);
    expect(ddl).toContain('`orientation` struct<pitch:double,roll:double,yaw:double>');
    expect(ddl).toContain('PARTITIONED BY (`year` string, `month` string, `day` string, `hour` string)');
    expect(ddl).toContain(`ROW FORMAT SERDE '${input.StorageDescriptor!.SerdeInfo!.SerializationLibrary}'`);
    expect(ddl).toContain(`STORED AS INPUTFORMAT '${input.StorageDescriptor!.InputFormat}'`);
    expect(ddl).toContain("LOCATION 's3://bucket/iot/sensor_readings/'");
    expect(ddl).toContain("'parquet.compression' = 'ZSTD'");
    expect(ddl).not.toContain('projection');
  });

  it('adds partition projection properties that match the folders sluice writes', () => {
    const descriptor = tableDescriptor(projectedJob, { locationOf: (key) => `s3://bucket/${key}` });
    const properties = projectionProperties(projectedJob.output.projection!, { location: descriptor.location, partitionKeys: ['kind'] });
    expect(properties).toEqual({
      'projection.enabled': 'true',
      'projection.year.type': 'integer',
      'projection.year.range': '2024,2030',
      'projection.year.digits': '4',
      'projection.month.type': 'integer',
      'projection.month.range': '1,12',
      'projection.month.digits': '2',
      'projection.day.type': 'integer',
      'projection.day.range': '1,31',
      'projection.day.digits': '2',
      'projection.hour.type': 'integer',
      'projection.hour.range': '0,23',
      'projection.hour.digits': '2',
      'projection.kind.type': 'enum',
      'projection.kind.values': 'a,b',
      'storage.location.template': 's3://bucket/db/events/year=${year}/month=${month}/day=${day}/hour=${hour}/kind=${kind}',
    });
    const input = glueTableInput(descriptor, { projection: projectedJob.output.projection! });
    expect(input.Parameters).toMatchObject(properties);
    const ddl = athenaDdl('db', input);
    expect(ddl).toContain("'storage.location.template' = 's3://bucket/db/events/year=${year}/month=${month}/day=${day}/hour=${hour}/kind=${kind}'");
    expect(ddl).toContain("'projection.kind.values' = 'a,b'");
  });

  it('refuses a projection that misses a partition key', () => {
    const output = table({ database: 'db', name: 'events', rows: Row, partitionBy: hourOf('at'), partitionKeys: ['kind'], projection: { years: { from: 2024, to: 2030 } } });
    const define = () => defineJob({ name: 'missing-key', source: kinesisStream({ stream: 's', records: Row }), steps: (s) => s, output });
    expect(define).toThrow(JobDefinitionError);
    expect(define).toThrow(/output\.projection\.keys\.kind: every extra partition key needs a projection/);
  });
});

describe('partition projection at run time', () => {
  it('registers nothing, and the local query engine still sees every partition', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-projection-'));
    try {
      const store = new LocalFolderStore({ root: join(dir, 'warehouse') });
      const catalog = new LocalCatalog({ dir: join(dir, 'catalog') });
      await catalog.ensureTable(tableDescriptor(projectedJob, store));
      const process = createBatchProcessor({ job: projectedJob, store, catalog });
      const report = await process(streamRecords([
        { id: '1', at: '2026-01-01T01:00:00Z', kind: 'a' },
        { id: '2', at: '2026-01-01T02:00:00Z', kind: 'b' },
      ]));
      expect(report.newPartitions).toBe(0);
      expect(await catalog.listPartitions({ database: 'db', name: 'events' })).toEqual([]);
      const engine = await openQueryEngine({ catalog });
      try {
        const result = await engine.query('SELECT id, hour, kind FROM db.events ORDER BY id');
        expect(result.rows).toEqual([
          { id: '1', hour: '01', kind: 'a' },
          { id: '2', hour: '02', kind: 'b' },
        ]);
      } finally {
        engine.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
