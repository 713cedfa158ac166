/**
 * Compile-time tests, checked by `npm run typecheck` (part of `npm test`): a job whose last
 * step's type does not fit its output row schema must not compile. Each `@ts-expect-error`
 * fails the type check if the line below it compiles.
 */
import { z } from 'zod';
import { defineJob, hourOf, kinesisStream, table } from '../../src/index.ts';

const In = z.object({ id: z.string(), celsius: z.number(), at: z.string() });
const Row = z.object({ id: z.string(), celsius: z.number(), at: z.date() });
const source = kinesisStream({ stream: 's', records: In });
const output = table({ database: 'd', name: 't', rows: Row, partitionBy: hourOf('at') });

// Fits: compiles.
defineJob({ name: 'fits', source, output, steps: (s) => s.map((m) => ({ id: m.id, celsius: m.celsius, at: new Date(m.at) })) });

// Extra fields are allowed (they are not stored).
defineJob({ name: 'extra', source, output, steps: (s) => s.map((m) => ({ id: m.id, celsius: m.celsius, at: new Date(m.at), x: 1 })) });

defineJob({
  name: 'missing-field',
  source,
  output,
  // @ts-expect-error: 'celsius' is missing from the step output.
  steps: (s) => s.map((m) => ({ id: m.id, at: new Date(m.at) })),
});

defineJob({
  name: 'wrong-type',
  source,
  output,
  // @ts-expect-error: 'at' is a string, the table wants a Date.
  steps: (s) => s.map((m) => ({ id: m.id, celsius: m.celsius, at: m.at })),
});

defineJob({
  name: 'no-steps-mismatch',
  source,
  output,
  // @ts-expect-error: the records themselves do not fit the row schema ('at' is a string).
  steps: (s) => s,
});

defineJob({
  name: 'filter-keeps-type',
  source,
  output,
  // @ts-expect-error: a filter does not change the type; the records still do not fit.
  steps: (s) => s.filter((m) => m.celsius > 0),
});

table({
  database: 'd',
  name: 't',
  rows: Row,
  // @ts-expect-error: hourOf must name a timestamp field of the row.
  partitionBy: hourOf('celsius'),
});

table({
  database: 'd',
  name: 't',
  rows: Row,
  partitionBy: hourOf('at'),
  // @ts-expect-error: partition keys must be fields of the row.
  partitionKeys: ['nope'],
});

// Steps see typed input: a typo in an input field does not compile.
defineJob({
  name: 'typed-input',
  source,
  output,
  // @ts-expect-error: 'celcius' is not a field of the input.
  steps: (s) => s.map((m) => ({ id: m.id, celsius: m.celcius, at: new Date(m.at) })),
});
