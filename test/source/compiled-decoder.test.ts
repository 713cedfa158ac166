import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SenseHatMessage } from '../../schemas/sense-hat.ts';
import { compiledDecoder } from '../../src/decode/compiled-decoder.ts';
import { decodeRecord } from '../../src/decode/decode.ts';
import { NOT_HANDLED } from '../../src/decode/not-handled.ts';
import { recordDecoder } from '../../src/decode/record-decoder.ts';
import { exactText } from '../helpers/exact-text.ts';
import { senseHat } from '../helpers/records.ts';

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

/** Decodes with the compiled decoder, which must exist for `schema`. */
function fast(schema: z.ZodType, text: string | Uint8Array): unknown {
  const decode = compiledDecoder(schema);
  expect(decode).toBeDefined();
  return decode!(typeof text === 'string' ? bytes(text) : text);
}

/** What JSON.parse and zod make of the text. */
function generic(schema: z.ZodType, text: string): unknown {
  const decoded = decodeRecord(bytes(text), schema);
  if (!decoded.ok) throw new Error(`expected ${text} to be valid: ${decoded.reason}`);
  return decoded.value;
}

describe('compiledDecoder', () => {
  it("decodes the sample job's records to what zod gives, and is made once per schema", () => {
    const text = JSON.stringify({ ...senseHat(), extra: { nested: [1, 'two'] } });
    expect(exactText(fast(SenseHatMessage, text))).toBe(exactText(generic(SenseHatMessage, text)));
    expect(compiledDecoder(SenseHatMessage)).toBe(compiledDecoder(SenseHatMessage));
  });

  it('reads numbers exactly as JSON.parse does, fast path or not', () => {
    const spellings = [
      '0', '-0', '-0.0e3', '0.1', '1.5', '1E+2', '1e-7', '0.000001234', '123.456e-2', '9007199254740993', '123456789012345678901',
      '1e23', '5e-324', '2.2250738585072014e-308', '1.7976931348623157e308', '4.9406564584124654e-324', '0.30000000000000004',
    ];
    const schema = z.object({ n: z.number() });
    for (const spelled of spellings) {
      expect(exactText(fast(schema, `{"n":${spelled}}`)), spelled).toBe(exactText(JSON.parse(`{"n":${spelled}}`)));
    }
  });

  it('reads strings exactly: escapes, surrogate pairs and lone surrogates, non-ASCII, a leading U+FEFF inside a value', () => {
    const schema = z.object({ s: z.string() });
    for (const spelled of ['"a\\"b\\\\c\\/d\\n\\t\\u00e9"', '"\\ud83d\\ude00 😀 é ü 中"', '"\\udc00\\ud800x"', '"\ufeffbom"', '""']) {
      const text = `{"s":${spelled}}`;
      expect(exactText(fast(schema, text)), spelled).toBe(exactText(generic(schema, text)));
    }
  });

  it('strips unknown keys of z.object, keeps those of z.looseObject after the declared ones, refuses those of z.strictObject', () => {
    const shape = { b: z.number(), a: z.string() };
    const text = '{"z":1,"a":"x","10":[true],"b":2,"y":{"k":null}}';
    expect(exactText(fast(z.object(shape), text))).toBe('{"b":2,"a":"x"}');
    expect(exactText(fast(z.looseObject(shape), text))).toBe(exactText(generic(z.looseObject(shape), text)));
    expect(Object.keys(fast(z.looseObject(shape), text) as object)).toEqual(['10', 'b', 'a', 'z', 'y']);
    expect(fast(z.strictObject(shape), text)).toBe(NOT_HANDLED);
  });

  it('fills defaults, leaves absent optional keys out, keeps nulls, freezes readonly values', () => {
    const schema = z.object({
      d: z.number().default(7),
      o: z.string().optional(),
      n: z.number().nullable(),
      od: z.number().default(3).optional(),
      r: z.object({ x: z.number() }).readonly(),
      e: z.enum(['on', 'off']),
      l: z.literal([1, 'one', true]),
    });
    const text = '{"n":null,"r":{"x":1},"e":"off","l":"one"}';
    const value = fast(schema, text);
    expect(exactText(value)).toBe(exactText(generic(schema, text)));
    expect(exactText(value)).toBe('{"d":7,"n":null,"od":3,"r":frozen {"x":1},"e":"off","l":"one"}');
  });

  it('counts string lengths in code points, as zod does', () => {
    const schema = z.object({ s: z.string().max(1), t: z.string().length(2) });
    expect(fast(schema, '{"s":"😀","t":"😀😀"}')).toEqual({ s: '😀', t: '😀😀' });
    expect(fast(schema, '{"s":"ab","t":"😀😀"}')).toBe(NOT_HANDLED);
  });

  it('runs checks as it reads: int, bounds, regex, array lengths', () => {
    const schema = z.object({ n: z.number().int().nonnegative(), s: z.string().regex(/^[a-z]+$/), a: z.array(z.number()).min(1).max(2) });
    expect(fast(schema, '{"n":3,"s":"abc","a":[1]}')).toEqual({ n: 3, s: 'abc', a: [1] });
    for (const text of ['{"n":1.5,"s":"abc","a":[1]}', '{"n":-1,"s":"abc","a":[1]}', '{"n":1,"s":"ABC","a":[1]}', '{"n":1,"s":"abc","a":[]}', '{"n":1e400,"s":"a","a":[1]}']) {
      expect(fast(schema, text), text).toBe(NOT_HANDLED);
    }
  });

  it('leaves to the generic decoder what it does not read itself', () => {
    const schema = z.object({ a: z.number(), s: z.string().optional() });
    const notHandled = [
      '{"a":1,"a":2}',
      '{"\\u0061":1}',
      '\ufeff{"a":1}',
      '{"a":1} x',
      '{"a":1',
      '{"a":01}',
      '{"a":1,"s":"\u0001"}',
      `{"a":1,"deep":${'['.repeat(300)}${']'.repeat(300)}}`,
    ];
    for (const text of notHandled) expect(fast(schema, text), text).toBe(NOT_HANDLED);
    expect(fast(schema, Uint8Array.of(0x7b, 0x22, 0x73, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d))).toBe(NOT_HANDLED);
  });

  it('compiles nothing for a schema with a construct it does not support exactly', () => {
    const Node: z.ZodType = z.object({ get child() { return Node.optional(); } });
    const unsupported: Record<string, z.ZodType> = {
      transform: z.object({ a: z.string().transform((s) => s.length) }),
      refine: z.object({ a: z.number().refine((n) => n > 1) }),
      pipe: z.object({ a: z.string().pipe(z.string()) }),
      union: z.object({ a: z.union([z.string(), z.number()]) }),
      date: z.object({ a: z.date() }),
      record: z.object({ a: z.record(z.string(), z.number()) }),
      coerce: z.object({ a: z.coerce.number() }),
      trim: z.object({ a: z.string().trim() }),
      catchall: z.object({ a: z.string() }).catchall(z.number()),
      prototypeKey: z.object({ constructor: z.string() }),
      recursive: Node,
    };
    for (const [name, schema] of Object.entries(unsupported)) expect(compiledDecoder(schema), name).toBeUndefined();
  });
});

describe('recordDecoder', () => {
  it('gives the generic reject, stage and reason, for what the compiled decoder does not decide', () => {
    const decode = recordDecoder(SenseHatMessage);
    for (const data of [bytes(JSON.stringify(senseHat({ count: 1.5 }))), bytes('{"client_id": '), Uint8Array.of(0xc3, 0x28)]) {
      expect(decode(data)).toEqual(decodeRecord(data, SenseHatMessage));
      expect(decode(data).ok).toBe(false);
    }
  });

  it('decodes with zod alone when the schema cannot be compiled', () => {
    const schema = z.object({ at: z.string().transform((s) => new Date(s)) });
    const data = bytes('{"at":"2026-01-02T03:04:05Z"}');
    expect(recordDecoder(schema)(data)).toEqual({ ok: true, value: { at: new Date('2026-01-02T03:04:05Z') } });
  });
});
