import { z } from 'zod';

/**
 * Column hints a row schema can carry that zod itself cannot express, kept in a zod
 * registry so schemas stay plain zod.
 */
export interface ColumnHints {
  /** Store the string column dictionary-encoded in Arrow (few distinct values). */
  readonly lowCardinality?: boolean;
}

export const columnHints = z.registry<ColumnHints>();

/**
 * Marks a string column as low-cardinality: it becomes `Dictionary<Utf8>` in Arrow.
 *
 * @example
 * ```ts
 * const Row = z.object({ device_id: lowCardinality(z.string()) });
 * ```
 */
export function lowCardinality<S extends z.ZodString>(schema: S): S {
  const copy = schema.clone() as S;
  columnHints.add(copy, { lowCardinality: true });
  return copy;
}
