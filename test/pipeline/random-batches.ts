/**
 * Random batches for the pipeline's equivalence tests: Sense HAT readings, activity
 * messages, pass-through rows and fan-out messages, good and corrupted in every way the
 * simulator corrupts records, plain and KPL-aggregated (some aggregates corrupt), over
 * hours of event and arrival time; and the jobs that read them: event-hour and arrival-hour
 * partitioning, an extra partition key, no steps, flatMap and failing rows.
 */
import fc from 'fast-check';
import { z } from 'zod';
import deviceActivity from '../../jobs/device-activity.ts';
import sensorReadings from '../../jobs/sensor-readings.ts';
import { activityMessages } from '../../src/cli/simulate/activity.ts';
import { corrupt, MalformedKind } from '../../src/cli/simulate/malformed.ts';
import { senseHatMessages } from '../../src/cli/simulate/sense-hat.ts';
import { arrivalHour, defineJob, hourOf, kinesisStream, table } from '../../src/index.ts';
import type { Job } from '../../src/job/define-job.ts';
import type { StreamRecord } from '../../src/decode/stream-record.ts';
import { kplAggregate } from '../helpers/kpl.ts';

const encoder = new TextEncoder();
const START = Date.parse('2026-11-20T06:00:00Z');
const MINUTE = 60_000;

/** Records are rows as they are: no steps, so no metadata; the hour comes from an ISO string. */
const passThrough = defineJob({
  name: 'pass-through',
  source: kinesisStream({ stream: 's', records: z.object({ id: z.string().min(1), n: z.number().int().optional(), at: z.iso.datetime() }) }),
  steps: (s) => s,
  output: table({ database: 'd', name: 'pass', rows: z.object({ id: z.string(), n: z.number().int().optional(), at: z.iso.datetime() }), partitionBy: hourOf('at') }),
});

/** Several outputs per record, some of which break the row schema, partitioned by arrival hour. */
const fanOut = defineJob({
  name: 'fan-out',
  source: kinesisStream({ stream: 's', records: z.looseObject({ id: z.string(), n: z.number().default(2) }) }),
  steps: (s) =>
    s.flatMap((m, meta) => Array.from({ length: Math.abs(Math.trunc(m.n)) % 4 }, (_, i) => ({ id: m.id, k: m.n > 100 ? i + 0.5 : i, sub: meta.subSequenceNumber ?? -1 })), {
      name: 'fan',
    }),
  output: table({ database: 'd', name: 'fan', rows: z.object({ id: z.string(), k: z.number().int(), sub: z.number().int() }), partitionBy: arrivalHour() }),
});

/** Columns of the other kinds: booleans, a nullable list, a nullable struct, an optional string, from the fan-out messages. */
const shapes = defineJob({
  name: 'shapes',
  source: kinesisStream({ stream: 's', records: z.object({ id: z.string(), n: z.number(), extra: z.array(z.number()).optional() }) }),
  steps: (s) =>
    s.map((m, meta) => ({
      id: m.id,
      even: m.n % 2 === 0,
      extra: m.extra ?? null,
      pos: m.n % 3 === 0 ? null : { n: m.n, half: m.n / 2, at: meta.arrivalTime },
      note: m.n % 5 === 0 ? undefined : `n=${m.n}`,
    })),
  output: table({
    database: 'd',
    name: 'shapes',
    rows: z.object({
      id: z.string(),
      even: z.boolean(),
      extra: z.array(z.number().int()).nullable(),
      pos: z.object({ n: z.number(), half: z.number(), at: z.date() }).nullable(),
      note: z.string().optional(),
    }),
    partitionBy: arrivalHour(),
  }),
});

export const JOBS: readonly Job[] = [sensorReadings, deviceActivity, passThrough, fanOut, shapes] as readonly Job[];

const KINDS = Object.values(MalformedKind);

/** One record's bytes: a Sense HAT reading, an activity message, a pass-through row, a fan-out message, or one of them corrupted. */
const documentOf = (i: number, seed: number, pick: number): Uint8Array => {
  const [reading] = [...senseHatMessages({ devices: 3, records: 1, hours: 1, start: new Date(START + (seed % 240) * MINUTE), seed: seed + i })];
  const [activity] = [...activityMessages({ devices: 2, records: 1, hours: 1, start: new Date(START + (seed % 180) * MINUTE), seed: seed + i })];
  const makers: Array<() => unknown> = [
    () => reading,
    () => activity,
    () => ({ id: `r${i}`, n: i % 3 === 0 ? undefined : i, at: new Date(START + ((seed + i * 7) % 300) * MINUTE).toISOString() }),
    () => ({ id: `f${i}`, n: (seed + i) % 7 === 0 ? 101 : i, extra: [i] }),
    () => ({ id: '', at: 'soon' }),
  ];
  const kind = pick % 9;
  if (kind < makers.length) return encoder.encode(JSON.stringify(makers[kind]!()));
  const base = (kind % 2 === 0 ? reading : activity) as unknown as Record<string, unknown>;
  return corrupt(base, KINDS[pick % KINDS.length]!);
};

export interface BatchSpec {
  readonly seed: number;
  readonly picks: readonly number[];
  readonly step: number;
  readonly aggregate: number;
  readonly corruptAggregate: boolean;
}

export const batchSpec: fc.Arbitrary<BatchSpec> = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  picks: fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
  /** Minutes between arrivals: batches that stay in an hour and batches that cross several. */
  step: fc.constantFrom(0, 1, 7, 45),
  /** Sizes of KPL aggregates to pack consecutive records into (0: plain records). */
  aggregate: fc.constantFrom(0, 0, 3, 5),
  corruptAggregate: fc.boolean(),
});

export async function batchOf(spec: BatchSpec): Promise<StreamRecord[]> {
  const plain = spec.picks.map((pick, i): StreamRecord => ({
    data: documentOf(i, spec.seed, pick),
    shardId: 'shardId-000000000001',
    sequenceNumber: String(49_000_000 + i * 10),
    partitionKey: `pk-${pick % 3}`,
    arrivalTime: new Date(START + i * spec.step * MINUTE + (pick % 1000)),
  }));
  if (spec.aggregate === 0) return plain;
  const records: StreamRecord[] = [];
  for (let i = 0; i < plain.length; i += spec.aggregate) {
    const group = plain.slice(i, i + spec.aggregate);
    const [encoded] = await kplAggregate(group.map((r) => ({ partitionKey: r.partitionKey, data: r.data })));
    const data = encoded!.data;
    if (spec.corruptAggregate && i === 0) data[data.length - 1] = data.at(-1)! ^ 0xff;
    records.push({ ...group[0]!, data, partitionKey: encoded!.partitionKey, arrivalTime: group.at(-1)!.arrivalTime });
  }
  return records;
}

