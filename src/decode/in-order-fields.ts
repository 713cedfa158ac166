import { JsonByte, type JsonBytes } from './json-bytes.ts';
import { NOT_HANDLED } from './not-handled.ts';

/** The document does not spell the object's fields in declared order: read it the general way instead. */
export const OUT_OF_ORDER: unique symbol = Symbol('sluice.out-of-order');

/**
 * Reads an object's members, after its `{`, when they are exactly the declared fields in
 * declared order, and builds the object; `OUT_OF_ORDER` as soon as the document departs
 * from that (another key, a missing or extra member), with the cursor left wherever it got
 * to. `NOT_HANDLED` when a declared field's value is (the general way would meet the same
 * value and answer the same).
 */
export type InOrderFields = (json: JsonBytes) => unknown;

/**
 * The in-order reader of an object with these fields (`keys[i]`: field `names[i]` as
 * `JsonBytes.key` compares it; `decoders[i]` reads its value). Producers mostly write every
 * field, in one order, record after record: generated with the names spelled out, the
 * reader keeps each value in a local and builds the object with one fixed shape, where the
 * general loop keeps values in a list (boxing every number) and builds the object from it.
 * Undefined where code generation is not allowed or there are no fields: the general loop
 * reads every object then.
 *
 * @example
 * ```ts
 * const read = inOrderFields(['t'], [spelledKey('t')], [decodeNumber]);
 * // after '{' of '{"t": 21.5}': { t: 21.5 }; of '{"x": 1, "t": 2}': OUT_OF_ORDER
 * ```
 */
export function inOrderFields(
  names: readonly string[],
  keys: readonly Uint8Array[],
  decoders: ReadonlyArray<(json: JsonBytes) => unknown>,
): InOrderFields | undefined {
  if (names.length === 0) return undefined;
  const last = names.length - 1;
  const member = (i: number): string[] => [
    `if (json.peek() !== QUOTE || json.key(keys, ${i}) !== ${i} || !json.eat(COLON)) return OUT_OF_ORDER;`,
    `const v${i} = d${i}(json);`,
    `if (v${i} === NOT_HANDLED) return NOT_HANDLED;`,
    i < last ? `if (!json.eat(COMMA)) return OUT_OF_ORDER;` : `if (!json.eat(CLOSE_BRACE)) return OUT_OF_ORDER;`,
  ];
  const body = [
    ...names.map((_, i) => `const d${i} = decoders[${i}];`),
    'return (json) => {',
    ...names.flatMap((_, i) => member(i)),
    `return { ${names.map((name, i) => `${JSON.stringify(name)}: v${i}`).join(', ')} };`,
    '};',
  ].join('\n');
  try {
    const make = new Function('keys', 'decoders', 'NOT_HANDLED', 'OUT_OF_ORDER', 'QUOTE', 'COLON', 'COMMA', 'CLOSE_BRACE', body);
    return make(keys, decoders, NOT_HANDLED, OUT_OF_ORDER, JsonByte.QUOTE, JsonByte.COLON, JsonByte.COMMA, JsonByte.CLOSE_BRACE) as InOrderFields;
  } catch {
    return undefined;
  }
}
