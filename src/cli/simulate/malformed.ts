/**
 * Bad records of the kinds real fleets send, for demos and tests: each must end in
 * rejects with its reason, never in the table and never lost.
 */
export const MalformedKind = {
  NotJson: 'not-json',
  InvalidUtf8: 'invalid-utf8',
  WrongType: 'wrong-type',
  MissingField: 'missing-field',
  ImpossibleTime: 'impossible-time',
} as const;
export type MalformedKind = (typeof MalformedKind)[keyof typeof MalformedKind];

const KINDS = Object.values(MalformedKind);
const encoder = new TextEncoder();

/** Corrupts one JSON message the way `kind` says. */
export function corrupt(message: Record<string, unknown>, kind: MalformedKind): Uint8Array {
  const corrupted: Record<MalformedKind, () => Uint8Array> = {
    'not-json': () => encoder.encode(JSON.stringify(message).slice(0, 25)),
    'invalid-utf8': () => {
      const bytes = encoder.encode(JSON.stringify(message));
      bytes[bytes.length >> 1] = 0xff;
      return bytes;
    },
    'wrong-type': () => encoder.encode(JSON.stringify({ ...message, temperature: 'n/a', device_temp: 'n/a' })),
    'missing-field': () => {
      const { client_id: _c, device_id: _d, ...rest } = message;
      return encoder.encode(JSON.stringify(rest));
    },
    'impossible-time': () =>
      encoder.encode(JSON.stringify({ ...message, timestamp: '2026-02-30 25:61:00', device_ts: '2026-02-30 25:61:00.000000' })),
  };
  return corrupted[kind]();
}

export interface EncodedMessage {
  readonly data: Uint8Array;
  /** Set when the record was corrupted on purpose. */
  readonly malformed?: MalformedKind;
}

/**
 * Encodes messages as JSON, corrupting every `1/rate`-th one (cycling through the kinds),
 * so the count of bad records is exact and known in advance.
 *
 * @example
 * ```ts
 * const encoded = withMalformed(messages, { rate: 0.005 }); // 0.5 % bad records
 * ```
 */
export function withMalformed(messages: Iterable<Record<string, unknown>>, options: { rate: number }): EncodedMessage[] {
  const every = options.rate > 0 ? Math.max(1, Math.round(1 / options.rate)) : 0;
  const out: EncodedMessage[] = [];
  let i = 0;
  let corrupted = 0;
  for (const message of messages) {
    i++;
    if (every > 0 && i % every === 0) {
      const kind = KINDS[corrupted++ % KINDS.length]!;
      out.push({ data: corrupt(message, kind), malformed: kind });
    } else {
      out.push({ data: encoder.encode(JSON.stringify(message)) });
    }
  }
  return out;
}
