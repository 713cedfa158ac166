/**
 * The decoder compiled from an input schema, with its fallback, is the generic decoder: for
 * random schemas of the supported subset and random documents — fitting the schema or not,
 * spelled in the many ways JSON allows (whitespace, escapes, exponents, -0, key order,
 * duplicate keys), then mutated at the byte level (truncated, bad UTF-8, a BOM, stray bytes,
 * deep nesting) — `recordDecoder(schema)(bytes)` equals `decodeRecord(bytes, schema)`: the
 * same value (types, -0, keys left out or kept as undefined, key order, frozen objects), or
 * the same reject stage and reason. Counters make sure both the compiled path and the
 * fallback are exercised, so the property cannot hold by never taking one of them.
 *
 * Replay a failure with the seed and path fast-check prints.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { SenseHatMessage } from '../../schemas/sense-hat.ts';
import { corrupt, MalformedKind } from '../../src/cli/simulate/malformed.ts';
import { senseHatMessages } from '../../src/cli/simulate/sense-hat.ts';
import { compiledDecoder } from '../../src/decode/compiled-decoder.ts';
import { decodeRecord } from '../../src/decode/decode.ts';
import { NOT_HANDLED } from '../../src/decode/not-handled.ts';
import { recordDecoder } from '../../src/decode/record-decoder.ts';
import { exactText } from '../helpers/exact-text.ts';

// ---------------------------------------------------------------- schemas of the supported subset

type StringCheck = 'none' | 'min' | 'max' | 'length' | 'regex' | 'startsWith' | 'includes' | 'email' | 'datetime' | 'lowercase';
type Bound = { readonly value: number; readonly inclusive: boolean } | undefined;
type Scalar = string | number | boolean | null;

type Desc =
  | { readonly t: 'string'; readonly check: StringCheck; readonly n: number }
  | { readonly t: 'number'; readonly format: 'none' | 'int' | 'int32'; readonly min: Bound; readonly max: Bound; readonly multipleOf: number | undefined }
  | { readonly t: 'boolean' }
  | { readonly t: 'null' }
  | { readonly t: 'unknown' }
  | { readonly t: 'enum'; readonly values: readonly string[] }
  | { readonly t: 'literal'; readonly values: readonly Scalar[] }
  | { readonly t: 'optional' | 'nullable' | 'readonly' | 'default'; readonly inner: Desc; readonly fallback: unknown }
  | { readonly t: 'object'; readonly mode: 'strip' | 'loose' | 'strict'; readonly fields: ReadonlyArray<readonly [string, Desc]> }
  | { readonly t: 'array'; readonly inner: Desc; readonly min: number | undefined; readonly max: number | undefined };

/** The description of kind `T` (a wrapper description covers several kinds). */
type DescOf<T extends Desc['t']> = Desc extends infer D ? (D extends { t: infer U } ? (T extends U ? D : never) : never) : never;

/** Field names that test key matching: unicode, quotes and backslashes (escaped in JSON), integer-like keys (ordered first by JS). */
const NAMES = ['a', 'b', 'client_id', 'count', 'é', '1', '10', 'a b', 'x"y', 'back\\slash', '😀', '\u2028', 'tab\t'];
const bound = fc.option(fc.record({ value: fc.integer({ min: -5, max: 5 }), inclusive: fc.boolean() }), { nil: undefined });

const leafDesc: fc.Arbitrary<Desc> = fc.oneof(
  fc.record({
    t: fc.constant('string' as const),
    check: fc.constantFrom<StringCheck>('none', 'min', 'max', 'length', 'regex', 'startsWith', 'includes', 'email', 'datetime', 'lowercase'),
    n: fc.integer({ min: 0, max: 4 }),
  }),
  fc.record({
    t: fc.constant('number' as const),
    format: fc.constantFrom('none' as const, 'int' as const, 'int32' as const),
    min: bound,
    max: bound,
    multipleOf: fc.option(fc.constantFrom(0.5, 2, 0.1), { nil: undefined }),
  }),
  fc.constant({ t: 'boolean' as const }),
  fc.constant({ t: 'null' as const }),
  fc.constant({ t: 'unknown' as const }),
  fc.record({ t: fc.constant('enum' as const), values: fc.uniqueArray(fc.constantFrom('a', 'b', 'é', 'x"y', '', '😀', 'A'), { minLength: 1, maxLength: 4 }) }),
  fc.record({ t: fc.constant('literal' as const), values: fc.uniqueArray(fc.constantFrom<Scalar>('a', 1, 0, 2.5, true, false, null, ''), { minLength: 1, maxLength: 3 }) }),
);

const { desc: anyDesc, object: objectDesc } = fc.letrec<{ desc: Desc; wrapper: Desc; object: Desc; array: Desc }>((tie) => ({
  desc: fc.oneof({ maxDepth: 3, depthIdentifier: 'schema' }, leafDesc, tie('wrapper'), tie('object'), tie('array')),
  wrapper: fc.record({
    t: fc.constantFrom('optional' as const, 'nullable' as const, 'readonly' as const, 'default' as const),
    inner: tie('desc'),
    fallback: fc.constantFrom<unknown>(0, 'd', null, true, [1], { k: 1 }),
  }),
  object: fc.record({
    t: fc.constant('object' as const),
    mode: fc.constantFrom('strip' as const, 'loose' as const, 'strict' as const),
    fields: fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), tie('desc')), { selector: ([name]) => name, maxLength: 5 }),
  }),
  array: fc.record({
    t: fc.constant('array' as const),
    inner: tie('desc'),
    min: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    max: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  }),
}));

const stringChecks: Record<StringCheck, (s: z.ZodString, n: number) => z.ZodType> = {
  none: (s) => s,
  min: (s, n) => s.min(n),
  max: (s, n) => s.max(n),
  length: (s, n) => s.length(n),
  regex: (s) => s.regex(/^[a-z]+$/),
  startsWith: (s) => s.startsWith('ab'),
  includes: (s) => s.includes('é'),
  email: (s) => s.email(),
  datetime: () => z.iso.datetime(),
  lowercase: (s) => s.lowercase(),
};

const zodOf: { [T in Desc['t']]: (d: DescOf<T>) => z.ZodType } = {
  string: (d) => stringChecks[d.check](z.string(), d.n),
  number: (d) => {
    let n = d.format === 'int32' ? z.int32() : d.format === 'int' ? z.number().int() : z.number();
    if (d.min) n = d.min.inclusive ? n.gte(d.min.value) : n.gt(d.min.value);
    if (d.max) n = d.max.inclusive ? n.lte(d.max.value) : n.lt(d.max.value);
    return d.multipleOf === undefined ? n : n.multipleOf(d.multipleOf);
  },
  boolean: () => z.boolean(),
  null: () => z.null(),
  unknown: () => z.unknown(),
  enum: (d) => z.enum(d.values as [string, ...string[]]),
  literal: (d) => z.literal(d.values as [Scalar, ...Scalar[]]),
  optional: (d) => toZod(d.inner).optional(),
  nullable: (d) => toZod(d.inner).nullable(),
  readonly: (d) => toZod(d.inner).readonly(),
  default: (d) => toZod(d.inner).default(d.fallback as never),
  object: (d) => {
    const shape = Object.fromEntries(d.fields.map(([name, field]) => [name, toZod(field)]));
    return d.mode === 'strict' ? z.strictObject(shape) : d.mode === 'loose' ? z.looseObject(shape) : z.object(shape);
  },
  array: (d) => {
    let a = z.array(toZod(d.inner));
    if (d.min !== undefined) a = a.min(d.min);
    if (d.max !== undefined) a = a.max(d.max);
    return a;
  },
};

function toZod(d: Desc): z.ZodType {
  return (zodOf[d.t] as (d: Desc) => z.ZodType)(d);
}

// ---------------------------------------------------------------- documents, as a JSON model spelled later

/** A JSON document before it is spelled: objects keep their entries as a list, so duplicates and `__proto__` keys are possible. */
type Json =
  | { readonly k: 'object'; readonly entries: ReadonlyArray<readonly [string, Json]> }
  | { readonly k: 'array'; readonly items: readonly Json[] }
  | { readonly k: 'string'; readonly v: string }
  | { readonly k: 'number'; readonly v: number }
  | { readonly k: 'word'; readonly v: boolean | null }
  /** A token as it is, often not JSON at all: `01`, `1.`, `NaN`, `'a'`. */
  | { readonly k: 'raw'; readonly text: string };

const ABSENT = Symbol('absent');
type Doc = Json | typeof ABSENT;

function fromValue(value: unknown): Json {
  if (value === null || typeof value === 'boolean') return { k: 'word', v: value };
  if (typeof value === 'number') return { k: 'number', v: value };
  if (typeof value === 'string') return { k: 'string', v: value };
  if (Array.isArray(value)) return { k: 'array', items: value.map(fromValue) };
  return { k: 'object', entries: Object.entries(value as object).map(([key, v]) => [key, fromValue(v)] as const) };
}

const RAW_TOKENS = ['01', '1.', '.5', '+1', '1e', '-', 'NaN', 'Infinity', "'a'", 'tru', 'nul', '1e400', '-1e400', '123456789012345678901234567890'];
const SPECIAL_NUMBERS = [0, -0, 1, -1, 0.1, 1.5, 2.5, 1e21, 1e22, 1e23, 2 ** 53, 2 ** 53 + 2, -(2 ** 31), 2 ** 31, 5e-324, 1.7976931348623157e308, 123.456, 9007199254740993];

const jsonish = fc.jsonValue({ maxDepth: 2 }).map(fromValue);
const misfit: fc.Arbitrary<Json> = fc.oneof(jsonish, fc.constantFrom(...RAW_TOKENS).map((text): Json => ({ k: 'raw', text })));

const stringValues: Record<StringCheck, (n: number) => fc.Arbitrary<string>> = {
  none: () => fc.string({ unit: 'binary', maxLength: 6 }),
  min: (n) => fc.string({ unit: 'grapheme', minLength: Math.max(0, n - 1), maxLength: n + 2 }),
  max: (n) => fc.string({ unit: 'grapheme', maxLength: n + 1 }),
  length: (n) => fc.string({ unit: 'grapheme', minLength: n, maxLength: n }),
  regex: () => fc.stringMatching(/^[a-z]{0,5}$/),
  startsWith: () => fc.string({ maxLength: 3 }).map((s) => `ab${s}`),
  includes: () => fc.tuple(fc.string({ maxLength: 2 }), fc.string({ maxLength: 2 })).map(([a, b]) => `${a}é${b}`),
  email: () => fc.emailAddress(),
  datetime: () => fc.date({ noInvalidDate: true, min: new Date('1970-01-01'), max: new Date('2100-01-01') }).map((d) => d.toISOString()),
  lowercase: () => fc.string({ maxLength: 4 }).map((s) => s.toLowerCase()),
};

const fitted: { [T in Desc['t']]: (d: DescOf<T>) => fc.Arbitrary<Doc> } = {
  string: (d) => stringValues[d.check](d.n).map((v): Json => ({ k: 'string', v })),
  number: () =>
    fc
      .oneof(fc.integer({ min: -6, max: 6 }), fc.constantFrom(...SPECIAL_NUMBERS), fc.double(), fc.integer())
      .map((v): Json => ({ k: 'number', v })),
  boolean: () => fc.boolean().map((v): Json => ({ k: 'word', v })),
  null: () => fc.constant<Json>({ k: 'word', v: null }),
  unknown: () => jsonish,
  enum: (d) => fc.constantFrom(...d.values).map((v): Json => ({ k: 'string', v })),
  literal: (d) => fc.constantFrom(...d.values).map(fromValue),
  optional: (d) => fc.option(docOf(d.inner), { nil: ABSENT, freq: 3 }),
  nullable: (d) => fc.option(docOf(d.inner), { nil: { k: 'word', v: null } as Json, freq: 3 }),
  readonly: (d) => docOf(d.inner),
  default: (d) => fc.option(docOf(d.inner), { nil: ABSENT, freq: 3 }),
  object: (d) =>
    fc
      .tuple(
        fc.tuple(...d.fields.map(([, field]) => docOf(field))),
        fc.option(fc.array(fc.tuple(fc.constantFrom('zz', 'extra', '__proto__', 'é', '7', 'constructor'), jsonish), { maxLength: 2 }), { nil: [], freq: 2 }),
      )
      .map(([values, extra]): Json => ({
        k: 'object',
        entries: [
          ...d.fields.flatMap(([name], i): Array<readonly [string, Json]> => (values[i] === ABSENT ? [] : [[name, values[i] as Json]])),
          ...extra,
        ],
      })),
  array: (d) => fc.array(docOf(d.inner), { maxLength: 4 }).map((items): Json => ({ k: 'array', items: items.map((i) => (i === ABSENT ? ({ k: 'word', v: null } as Json) : i)) })),
};

/** Documents for a schema: mostly fitting, sometimes anything at all. */
function docOf(d: Desc): fc.Arbitrary<Doc> {
  return fc.oneof({ weight: 12, arbitrary: (fitted[d.t] as (d: Desc) => fc.Arbitrary<Doc>)(d) }, { weight: 1, arbitrary: misfit });
}

// ---------------------------------------------------------------- spelling a model as JSON text, every which way

/** A small deterministic generator for spelling choices, seeded by fast-check so failures replay. */
class Choices {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  /** An integer in [0, n). */
  next(n: number): number {
    this.state ^= this.state << 13;
    this.state ^= this.state >>> 17;
    this.state ^= this.state << 5;
    return (this.state >>> 0) % n;
  }
  chance(percent: number): boolean {
    return this.next(100) < percent;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.next(items.length)]!;
  }
}

const WHITESPACE = [' ', '\n', '\r', '\t', '  '];
const ws = (c: Choices): string => (c.chance(15) ? c.pick(WHITESPACE) : '');

function spellNumber(v: number, c: Choices): string {
  if (Object.is(v, -0)) return c.pick(['-0', '-0.0', '-0e5', '-0E-2', '0']);
  if (!Number.isFinite(v)) return c.pick(['1e400', '-1e999', '0']);
  const forms = [JSON.stringify(v), v.toExponential(), v.toExponential().replace('e+', 'E'), v.toPrecision(17), v.toExponential().replace(/e([+-]?)/, 'e$10')];
  if (Math.abs(v) < 1e21) forms.push(v.toFixed(c.next(8)), v.toFixed(20));
  if (Number.isInteger(v)) forms.push(`${v}.0`, `${v}e0`, `${v}00e-2`);
  const spelled = c.pick(forms);
  // toFixed(20) and toPrecision may spell a nearby decimal; any spelling is fair, both decoders read the same bytes.
  return spelled.replace('E+', c.chance(50) ? 'E+' : 'E');
}

function spellString(v: string, c: Choices, escapePercent = 6): string {
  let out = '"';
  for (let i = 0; i < v.length; i++) {
    const unit = v.charCodeAt(i);
    const ch = v[i]!;
    const mustEscape = ch === '"' || ch === '\\' || unit < 0x20;
    if (!mustEscape && !c.chance(escapePercent)) {
      out += ch;
      continue;
    }
    const short: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\b': '\\b', '\f': '\\f', '/': '\\/' };
    const hex = unit.toString(16).padStart(4, '0');
    out += short[ch] !== undefined && c.chance(60) ? short[ch] : `\\u${c.chance(50) ? hex : hex.toUpperCase()}`;
  }
  // Now and then a string that is no JSON: a bad escape, a raw control character, a cut \u.
  if (c.chance(2)) out += c.pick(['\\x', '\u0001', '\\u12']);
  return `${out}"`;
}

function spell(doc: Json, c: Choices, depth = 0): string {
  const spellers: { [K in Json['k']]: (d: Extract<Json, { k: K }>) => string } = {
    word: (d) => String(d.v),
    number: (d) => spellNumber(d.v, c),
    string: (d) => spellString(d.v, c),
    raw: (d) => d.text,
    array: (d) => `[${ws(c)}${d.items.map((i) => spell(i, c, depth + 1)).join(`${ws(c)},${ws(c)}`)}${ws(c)}]`,
    object: (d) => {
      let entries = [...d.entries];
      if (entries.length > 1 && c.chance(20)) entries = entries.reverse();
      if (entries.length > 0 && c.chance(5)) entries.push(c.pick(entries));
      if (depth === 0 && c.chance(3)) entries.push(['deep', deepArray(300)]);
      return `{${ws(c)}${entries.map(([key, value]) => `${spellString(key, c, 1)}${ws(c)}:${ws(c)}${spell(value, c, depth + 1)}`).join(`${ws(c)},${ws(c)}`)}${ws(c)}}`;
    },
  };
  return (spellers[doc.k] as (d: Json) => string)(doc);
}

const deepArray = (depth: number): Json => (depth === 0 ? { k: 'number', v: 1 } : { k: 'array', items: [deepArray(depth - 1)] });

// ---------------------------------------------------------------- bytes, sometimes damaged

const encoder = new TextEncoder();
const BAD_UTF8 = [[0xff], [0x80], [0xc0, 0x80], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xf0, 0x8f, 0xbf, 0xbf]];
const STRAY = [[0xef, 0xbb, 0xbf], [0xc2, 0xa0], [0x0b], [0x0c], [0x00], [0x22], [0x5c], [0x2c], [0x7d]];

function bytesOf(doc: Json, c: Choices): Uint8Array {
  const text = `${ws(c)}${spell(doc, c)}${ws(c)}`;
  const bytes = [...encoder.encode(text)];
  const damage = c.next(100);
  const at = c.next(bytes.length + 1);
  if (damage < 4) bytes.length = at;
  else if (damage < 8) bytes.splice(at, 0, ...c.pick(BAD_UTF8));
  else if (damage < 11) bytes.splice(at, 0, ...c.pick(STRAY));
  else if (damage < 13 && bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = c.next(256);
  else if (damage < 14) bytes.unshift(0xef, 0xbb, 0xbf);
  return Uint8Array.from(bytes);
}

// ---------------------------------------------------------------- the comparison

interface Tally {
  compiledSchemas: number;
  decidedByCompiled: number;
  leftToFallback: number;
}

function checkSame(schema: z.ZodType, bytes: Uint8Array, tally: Tally): void {
  const fast = recordDecoder(schema)(bytes);
  const generic = decodeRecord(bytes, schema);
  expect(exactText(fast)).toBe(exactText(generic));
  const compiled = compiledDecoder(schema);
  if (!compiled) return;
  if (compiled(bytes) === NOT_HANDLED) tally.leftToFallback++;
  else tally.decidedByCompiled++;
}

const DOCS_PER_SCHEMA = 8;

describe('compiled decoder with fallback = decodeRecord', () => {
  it('for random schemas of the supported subset and random documents, valid and invalid', () => {
    const tally: Tally = { compiledSchemas: 0, decidedByCompiled: 0, leftToFallback: 0 };
    const schemaAndDocs = fc.oneof({ weight: 3, arbitrary: objectDesc }, { weight: 1, arbitrary: anyDesc }).chain((d) =>
      fc.tuple(fc.constant(d), fc.array(fc.tuple(docOf(d), fc.integer()), { minLength: DOCS_PER_SCHEMA, maxLength: DOCS_PER_SCHEMA })),
    );
    fc.assert(
      fc.property(schemaAndDocs, ([d, docs]) => {
        const schema = toZod(d);
        if (compiledDecoder(schema)) tally.compiledSchemas++;
        for (const [doc, seed] of docs) checkSame(schema, bytesOf(doc === ABSENT ? { k: 'word', v: null } : doc, new Choices(seed)), tally);
      }),
      { numRuns: 400 },
    );
    // Every generated schema is in the supported subset, and both paths were taken often.
    expect(tally.compiledSchemas).toBe(400);
    expect(tally.decidedByCompiled).toBeGreaterThan(400);
    expect(tally.leftToFallback).toBeGreaterThan(400);
  });

  it("for the sensor-readings job's input schema, with the simulator's readings and malformed records", () => {
    const tally: Tally = { compiledSchemas: 0, decidedByCompiled: 0, leftToFallback: 0 };
    const kinds = Object.values(MalformedKind);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer(), fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, fc.constantFrom(...kinds)), (seed, spelling, kind) => {
        const messages = [...senseHatMessages({ devices: 3, records: 4, hours: 1, start: new Date('2026-11-20T06:00:00Z'), seed })];
        const c = new Choices(spelling);
        for (const message of messages) {
          const record = message as unknown as Record<string, unknown>;
          const bytes = kind === undefined ? bytesOf(fromValue(record), c) : corrupt(record, kind);
          checkSame(SenseHatMessage, bytes, tally);
        }
      }),
      { numRuns: 300 },
    );
    expect(compiledDecoder(SenseHatMessage)).toBeDefined();
    expect(tally.decidedByCompiled).toBeGreaterThan(300);
    expect(tally.leftToFallback).toBeGreaterThan(100);
  });
});
