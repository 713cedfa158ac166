import { defOf, isRecursive, type AnyZod, type Def } from '../schema/zod-def.ts';
import { absentField } from './absent-field.ts';
import { JsonByte, JsonBytes, KEY_NOT_HANDLED, spelledKey, stringCache, UNKNOWN_KEY } from './json-bytes.ts';
import { inOrderFields, OUT_OF_ORDER } from './in-order-fields.ts';
import { objectBuilder } from './object-builder.ts';
import { NOT_HANDLED } from './not-handled.ts';
import { CheckedKind, hasNoChecks, leafChecks } from './zod-check-predicates.ts';

/**
 * A decoder compiled from a job's input schema (zod v4): it reads the record's UTF-8 JSON
 * bytes and checks each field against its schema as it reads it, with no string of the
 * whole document and no intermediate document. On success its value is the one
 * `schema.safeParse(JSON.parse(text))` gives, key order included: unknown keys stripped
 * (`z.object`), kept (`z.looseObject`) or refused (`z.strictObject`), defaults filled in,
 * readonly values frozen. Anything it cannot decide exactly — invalid UTF-8 or JSON, a
 * failed check, a duplicate key, an escaped key — is `NOT_HANDLED`, never a reject: the
 * generic decoder then decides, so rejects and their reasons are the generic ones by
 * construction. A schema with any construct not supported exactly (transforms, pipes,
 * refinements, unions, records, dates, coercion, ...) compiles to nothing.
 */


interface DecoderNode {
  /** Reads the value at the cursor: the parsed value, or `NOT_HANDLED`. */
  readonly decode: (json: JsonBytes) => unknown;
  /** What zod makes of `undefined` here (an absent key): a value, or `NOT_HANDLED` where zod fails it. */
  readonly ofUndefined: () => unknown;
}

type Builder = (schema: AnyZod, def: Def) => DecoderNode | undefined;

const { QUOTE, COMMA, COLON, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, NULL_START } = JsonByte;

const failsUndefined = (): unknown => NOT_HANDLED;
const leaf = (decode: DecoderNode['decode']): DecoderNode => ({ decode, ofUndefined: failsUndefined });
const freeze = (value: unknown): unknown => (value === NOT_HANDLED ? value : Object.freeze(value));

/** Wrappers and containers carry no checks of their own here; one that does is left to zod. */
const wrap =
  (build: (schema: AnyZod, def: Def, inner: DecoderNode) => DecoderNode): Builder =>
  (schema, def) => {
    if (!hasNoChecks(schema)) return undefined;
    const inner = compileNode(def['innerType'] as AnyZod);
    return inner && build(schema, def, inner);
  };

/** `z.unknown()` and `z.any()`: any JSON value as JSON.parse builds it; absence is `undefined`. */
const anyValue: Builder = (schema) => (hasNoChecks(schema) ? { decode: (json) => json.value(), ofUndefined: () => undefined } : undefined);

const builders: Readonly<Record<string, Builder>> = {
  string: (schema) => {
    const check = leafChecks(schema, CheckedKind.String);
    if (check === undefined) return undefined;
    const cache = stringCache();
    return leaf((json) => {
      if (json.peek() !== QUOTE) return NOT_HANDLED;
      const value = json.string(cache);
      return value === NOT_HANDLED || (check !== null && !check(value)) ? NOT_HANDLED : value;
    });
  },
  number: (schema) => {
    const check = leafChecks(schema, CheckedKind.Number);
    if (check === undefined) return undefined;
    return leaf((json) => {
      json.peek();
      // Anything but a number at the cursor is NOT_HANDLED from number() itself.
      const value = json.number();
      // zod's number refuses what overflows to Infinity (1e400).
      return value === NOT_HANDLED || !Number.isFinite(value) || (check !== null && !check(value)) ? NOT_HANDLED : value;
    });
  },
  boolean: (schema, def) =>
    def['coerce'] || !hasNoChecks(schema)
      ? undefined
      : leaf((json) => {
          json.peek();
          return json.boolean();
        }),
  null: (schema) =>
    hasNoChecks(schema)
      ? leaf((json) => {
          json.peek();
          return json.null();
        })
      : undefined,
  enum: (schema) => oneOf(schema),
  literal: (schema) => oneOf(schema),
  unknown: anyValue,
  any: anyValue,
  optional: wrap((_schema, def, inner) => {
    const innerType = def['innerType'] as AnyZod;
    // .optional() passes absence through, unless its inner schema substitutes a value for it.
    const substitutes = innerType._zod.optin === 'defaulted';
    return {
      decode: inner.decode,
      ofUndefined: substitutes
        ? () => {
            const value = inner.ofUndefined();
            return value === NOT_HANDLED ? undefined : value;
          }
        : () => undefined,
    };
  }),
  nullable: wrap((_schema, _def, inner) => ({
    decode: (json) => (json.peek() === NULL_START ? json.null() : inner.decode(json)),
    ofUndefined: inner.ofUndefined,
  })),
  // zod's default is not validated by the inner schema: it is returned as it is, fresh from the def's getter.
  default: wrap((_schema, def, inner) => ({ decode: inner.decode, ofUndefined: () => def['defaultValue'] })),
  readonly: wrap((_schema, _def, inner) => ({
    decode: (json) => freeze(inner.decode(json)),
    ofUndefined: () => freeze(inner.ofUndefined()),
  })),
  array: (schema, def) => {
    const check = leafChecks(schema, CheckedKind.Array);
    const element = compileNode(def['element'] as AnyZod);
    if (check === undefined || !element) return undefined;
    const decodeElement = element.decode;
    return leaf((json) => {
      if (!json.eat(OPEN_BRACKET)) return NOT_HANDLED;
      const out: unknown[] = [];
      if (!json.eat(CLOSE_BRACKET)) {
        for (;;) {
          const item = decodeElement(json);
          if (item === NOT_HANDLED) return NOT_HANDLED;
          out.push(item);
          if (json.eat(COMMA)) continue;
          if (json.eat(CLOSE_BRACKET)) break;
          return NOT_HANDLED;
        }
      }
      return check !== null && !check(out) ? NOT_HANDLED : out;
    });
  },
  object: (schema, def) => compileObject(schema, def),
};

/** Enums and literals: zod's own value set, for values JSON can spell. */
function oneOf(schema: AnyZod): DecoderNode | undefined {
  const values = schema._zod.values;
  if (!hasNoChecks(schema) || !values) return undefined;
  for (const v of values) if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return undefined;
  const strings = [...values].filter((v): v is string => typeof v === 'string');
  const spelled = strings.map(spelledKey);
  return leaf((json) => {
    // Most enum values come spelled plainly: match their bytes and hand out the interned string.
    if (json.peek() === QUOTE) {
      for (let i = 0; i < spelled.length; i++) if (json.literal(spelled[i]!)) return strings[i];
    }
    // Any other spelling, or another JSON value: an array or object is in no value set either.
    const value = json.value();
    return value !== NOT_HANDLED && values.has(value as never) ? value : NOT_HANDLED;
  });
}

/** How an object treats keys its shape does not declare. */
const UnknownKeys = { Strip: 'strip', Keep: 'keep', Refuse: 'refuse' } as const;
type UnknownKeys = (typeof UnknownKeys)[keyof typeof UnknownKeys];

const catchallPolicies: Readonly<Record<string, UnknownKeys>> = { never: UnknownKeys.Refuse, unknown: UnknownKeys.Keep, any: UnknownKeys.Keep };

function compileObject(schema: AnyZod, def: Def): DecoderNode | undefined {
  if (!hasNoChecks(schema)) return undefined;
  const shape = def['shape'] as Record<string, AnyZod>;
  const catchall = def['catchall'] as AnyZod | undefined;
  const policy = catchall === undefined ? UnknownKeys.Strip : catchallPolicies[defOf(catchall).type];
  if (policy === undefined || (catchall && !hasNoChecks(catchall))) return undefined;
  // Keys zod reads through the prototype (`constructor`, `__proto__`, ...) behave unlike JSON keys: leave them to zod.
  if (Object.getOwnPropertySymbols(shape).length > 0) return undefined;
  const names = Object.keys(shape);
  if (names.some((name) => name in Object.prototype)) return undefined;
  const nodes: DecoderNode[] = [];
  for (const name of names) {
    const node = compileNode(shape[name]!);
    if (!node) return undefined;
    nodes.push(node);
  }
  const keys = names.map(spelledKey);
  const decoders = nodes.map((n) => n.decode);
  const absent = names.map((name, i) => absentField(shape[name]!, nodes[i]!.ofUndefined));
  const count = names.length;
  // zod builds its output in shape order; a field that may be absent from it is one zod lets be absent from the input.
  const build = objectBuilder(names, { omittable: names.map((name) => shape[name]!._zod.optin !== undefined) });

  // Every field present, in declared order, nothing else: no absent field to fill in, no unknown key to treat.
  const inOrder = inOrderFields(names, keys, decoders);

  // One object is decoded at a time per node (schemas that could re-enter themselves are not compiled), so its slots are reused.
  const values: unknown[] = new Array<unknown>(count);
  return leaf((json) => {
    if (!json.eat(OPEN_BRACE)) return NOT_HANDLED;
    if (inOrder) {
      const start = json.pos;
      const out = inOrder(json);
      if (out !== OUT_OF_ORDER) return out;
      json.pos = start;
    }
    values.fill(undefined);
    let extra: unknown[] | undefined;
    let hint = 0;
    let b = json.peek();
    if (b === CLOSE_BRACE) json.pos++;
    else {
      for (;;) {
        if (b !== QUOTE) return NOT_HANDLED;
        const k = json.key(keys, hint);
        if (k === KEY_NOT_HANDLED || !json.eat(COLON)) return NOT_HANDLED;
        if (k !== UNKNOWN_KEY) {
          // JSON.parse keeps the last of duplicate keys; rare enough to leave to it.
          if (values[k] !== undefined) return NOT_HANDLED;
          const value = decoders[k]!(json);
          if (value === NOT_HANDLED) return NOT_HANDLED;
          values[k] = value;
          hint = k + 1;
        } else if (policy === UnknownKeys.Strip) {
          if (!json.skip()) return NOT_HANDLED;
        } else if (policy === UnknownKeys.Keep) {
          const key = json.unknownKey();
          if (key === '__proto__') return NOT_HANDLED;
          const value = json.value();
          if (value === NOT_HANDLED) return NOT_HANDLED;
          (extra ??= []).push(key, value);
        } else {
          return NOT_HANDLED;
        }
        b = json.peek();
        if (b === COMMA) {
          json.pos++;
          b = json.peek();
          continue;
        }
        if (b === CLOSE_BRACE) {
          json.pos++;
          break;
        }
        return NOT_HANDLED;
      }
    }
    for (let i = 0; i < count; i++) {
      if (values[i] !== undefined) continue;
      const value = absent[i]!();
      if (value === NOT_HANDLED) return NOT_HANDLED;
      values[i] = value;
    }
    // Shape keys first, then the kept unknown keys in input order, as zod does.
    const out = build(values);
    if (extra) for (let i = 0; i < extra.length; i += 2) out[extra[i] as string] = extra[i + 1];
    return out;
  });
}

function compileNode(schema: AnyZod): DecoderNode | undefined {
  const def = defOf(schema);
  return builders[def.type]?.(schema, def);
}

/** Decodes one record's bytes: the value zod would give, or `NOT_HANDLED`. */
export type CompiledDecoder = (bytes: Uint8Array) => unknown;

const compiled = new WeakMap<AnyZod, CompiledDecoder | null>();

/**
 * The decoder compiled from `schema`, once per schema; undefined when the schema uses a
 * construct the compiled decoder does not support exactly (then zod decides every record).
 *
 * @example
 * ```ts
 * const decode = compiledDecoder(z.object({ t: z.number() }));
 * decode?.(new TextEncoder().encode('{"t":21.5,"x":1}')); // { t: 21.5 }
 * decode?.(new TextEncoder().encode('{"t":"hot"}'));      // NOT_HANDLED: decodeRecord says why
 * ```
 */
export function compiledDecoder(schema: AnyZod): CompiledDecoder | undefined {
  let decoder = compiled.get(schema);
  if (decoder === undefined) {
    decoder = compile(schema) ?? null;
    compiled.set(schema, decoder);
  }
  return decoder ?? undefined;
}

function compile(schema: AnyZod): CompiledDecoder | undefined {
  // A schema that can re-enter itself (z.lazy, getters in a shape) parses through zod's cycle
  // memo, which only zod's own parse context can drive; zod's AOT compiler refuses them too.
  if (isRecursive(schema)) return undefined;
  const root = compileNode(schema);
  if (!root) return undefined;
  const json = new JsonBytes();
  const decode = root.decode;
  return (bytes) => {
    json.reset(bytes);
    const value = decode(json);
    return value === NOT_HANDLED || json.peek() !== -1 ? NOT_HANDLED : value;
  };
}
