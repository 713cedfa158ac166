import type { z } from 'zod';

/**
 * Record bytes -> validated value: UTF-8 (strict) -> JSON -> the job's input schema.
 * Never throws: every failure is a reason a reject can carry.
 */
export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly stage: RejectStage; readonly reason: string };

export const RejectStage = {
  Kpl: 'kpl',
  Utf8: 'utf8',
  Json: 'json',
  Validation: 'validation',
  Step: 'step',
  Row: 'row',
  EventTime: 'event-time',
  Partition: 'partition',
  Aggregate: 'aggregate',
} as const;
export type RejectStage = (typeof RejectStage)[keyof typeof RejectStage];

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Decodes one record's bytes and validates the document with `schema`: the generic path,
 * and the reference for every faster one. `processBatch` reads records with `recordDecoder`,
 * whose compiled decoder leaves to this function every record it does not decide itself.
 *
 * @example
 * ```ts
 * const decoded = decodeRecord(record.data, job.source.records);
 * if (!decoded.ok) console.log(decoded.stage, decoded.reason); // 'json', 'record data is not JSON: ...'
 * ```
 */
export function decodeRecord<S extends z.ZodType>(data: Uint8Array, schema: S): Decoded<z.output<S>> {
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return { ok: false, stage: RejectStage.Utf8, reason: 'record data is not valid UTF-8' };
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { ok: false, stage: RejectStage.Json, reason: `record data is not JSON: ${(error as Error).message}` };
  }
  const parsed = schema.safeParse(document);
  if (!parsed.success) {
    return { ok: false, stage: RejectStage.Validation, reason: `record does not match the input schema: ${formatIssues(parsed.error.issues)}` };
  }
  return { ok: true, value: parsed.data };
}

/** zod issues as one readable line, each with its path: `temperature: expected number, received string`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
