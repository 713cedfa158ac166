import type { z } from 'zod';
import { compiledDecoder } from './compiled-decoder.ts';
import { decodeRecord, type Decoded } from './decode.ts';
import { NOT_HANDLED } from './not-handled.ts';

/** Record bytes -> the input schema's value, or a reject's stage and reason. */
export type RecordDecoder<T> = (data: Uint8Array) => Decoded<T>;

const decoders = new WeakMap<z.ZodType, RecordDecoder<unknown>>();

/**
 * The decoder for one input schema, made once per schema: the decoder compiled from the
 * schema reads each record's bytes directly, and whatever it does not decide (a bad record,
 * a form it does not read itself, a schema it cannot compile) goes to `decodeRecord`, so a
 * record gets the same value, or the same reject stage and reason, either way.
 *
 * @example
 * ```ts
 * const decode = recordDecoder(job.source.records);
 * const decoded = decode(record.data);
 * if (!decoded.ok) reject(record, decoded.stage, decoded.reason);
 * ```
 */
export function recordDecoder<S extends z.ZodType>(schema: S): RecordDecoder<z.output<S>> {
  let decoder = decoders.get(schema);
  if (!decoder) {
    const compiled = compiledDecoder(schema);
    decoder = compiled
      ? (data) => {
          const value = compiled(data);
          return value === NOT_HANDLED ? decodeRecord(data, schema) : { ok: true, value };
        }
      : (data) => decodeRecord(data, schema);
    decoders.set(schema, decoder);
  }
  return decoder as RecordDecoder<z.output<S>>;
}
