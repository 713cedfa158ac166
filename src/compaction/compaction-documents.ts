import { createHash } from 'node:crypto';
import { z } from 'zod';
import { messageOf } from '../error-message.ts';
import { CompactionError } from '../errors.ts';
import type { InputSlice, SizedInput } from './unit-split.ts';

/**
 * The files a fanned-out compaction keeps in the new generation's folder, beside its outputs:
 * the plan (what the generation replaces and how it is cut into units), one file per unit
 * (what it reads and writes) and one receipt per finished unit. Each is written once at a
 * fixed key by the step that owns it, so a retried step rewrites the same bytes.
 */

/**
 * A generation's plan, `<generation folder>/_plan.json`. Written last by the plan step, after
 * every unit's file: a plan that exists is complete.
 *
 * @example
 * ```ts
 * const plan: PlanDocument = { planId, generation: 2, baseGeneration: 1, inputs, retire, units: 3, merged: false };
 * ```
 */
export interface PlanDocument {
  /** Digest of everything else, and of what the outputs depend on (columns, codec, row groups): units and receipts name it. */
  readonly planId: string;
  /** The generation the units write. */
  readonly generation: number;
  /** The committed generation this plan replaces: the commit refuses a state that moved on. */
  readonly baseGeneration: number;
  /** The inputs, in the order their rows are written. */
  readonly inputs: readonly SizedInput[];
  /** Keys the commit retires: the inputs, and the replaced generation's plan and units. */
  readonly retire: readonly string[];
  readonly units: number;
  /** Whether units merge the partial aggregates of their slices or copy them. */
  readonly merged: boolean;
}

/**
 * One unit of work, `<generation folder>/_units/u-NNNNN.json`.
 *
 * @example
 * ```ts
 * const unit: UnitDocument = { planId, index: 0, output: layout.partKey(path, 2, 0), slices: [{ key, size, start: 0, end: size }], merge: false };
 * ```
 */
export interface UnitDocument {
  readonly planId: string;
  readonly index: number;
  /** The Parquet file it writes (nothing when it has no rows). */
  readonly output: string;
  /** What it reads, in order. */
  readonly slices: readonly InputSlice[];
  /** Whether it merges the partial aggregates it reads (an aggregate table) or copies its rows. */
  readonly merge: boolean;
}

/**
 * A finished unit, `<generation folder>/_units/u-NNNNN.done.json`, written after its output.
 *
 * @example
 * ```ts
 * const receipt: UnitReceipt = { planId, index: 0, output: layout.partKey(path, 2, 0), bytes: 7_100_000, rowsIn: 20_000, rowsOut: 20_000 };
 * ```
 */
export interface UnitReceipt {
  readonly planId: string;
  readonly index: number;
  /** The file written; `null` when the unit had no rows to write. */
  readonly output: string | null;
  readonly bytes: number;
  readonly rowsIn: number;
  readonly rowsOut: number;
}

const count = z.number().int().nonnegative();
const SizedInputFile = z.object({ key: z.string().min(1), size: count });
const PlanFile = z.object({
  planId: z.string().min(1),
  generation: count,
  baseGeneration: count,
  inputs: z.array(SizedInputFile),
  retire: z.array(z.string().min(1)),
  units: count,
  merged: z.boolean(),
});
const UnitFile = z.object({
  planId: z.string().min(1),
  index: count,
  output: z.string().min(1),
  slices: z.array(SizedInputFile.extend({ start: count, end: count })),
  merge: z.boolean(),
});
const ReceiptFile = z.object({ planId: z.string().min(1), index: count, output: z.string().min(1).nullable(), bytes: count, rowsIn: count, rowsOut: count });

const encoder = new TextEncoder();
const json = (value: unknown) => encoder.encode(`${JSON.stringify(value)}\n`);

function parsed<T extends z.ZodType>(schema: T, bytes: Uint8Array, key: string, what: string): z.infer<T> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new CompactionError(`${what} ${key} is not JSON (${messageOf(error)}); delete it and run compaction again: the next run plans the generation anew`, error);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new CompactionError(`${what} ${key} is not a sluice compaction ${what} (${issues}); delete it and run compaction again`);
  }
  return result.data;
}

/**
 * The plan's id: a digest of its content and of `outputShape` (what else decides the output
 * bytes: columns, codec, row group size), so a plan made with other settings never passes for
 * this one.
 *
 * @example
 * ```ts
 * const planId = planIdOf({ generation, baseGeneration, inputs, retire, units, merged }, JSON.stringify({ columns, compression }));
 * ```
 */
export function planIdOf(plan: Omit<PlanDocument, 'planId'>, outputShape: string): string {
  const { generation, baseGeneration, inputs, retire, units, merged } = plan;
  return createHash('sha256').update(JSON.stringify({ generation, baseGeneration, inputs, retire, units, merged, outputShape })).digest('hex').slice(0, 32);
}

/**
 * Plan -> the bytes of its file.
 *
 * @example
 * ```ts
 * await store.put(layout.planKey(path, generation), serializePlan(plan), { contentType: 'application/json' });
 * ```
 */
export function serializePlan(plan: PlanDocument): Uint8Array {
  return json(plan);
}

/**
 * A plan file's bytes -> plan; `undefined` bytes -> `undefined`. Throws `CompactionError`
 * naming the file when it is not a plan.
 *
 * @example
 * ```ts
 * const plan = parsePlan(await store.get(key), key);
 * ```
 */
export function parsePlan(bytes: Uint8Array | undefined, key: string): PlanDocument | undefined {
  return bytes === undefined ? undefined : parsed(PlanFile, bytes, key, 'plan');
}

/**
 * Unit -> the bytes of its file.
 *
 * @example
 * ```ts
 * await store.put(layout.unitKey(path, generation, 0), serializeUnit(unit), { contentType: 'application/json' });
 * ```
 */
export function serializeUnit(unit: UnitDocument): Uint8Array {
  return json(unit);
}

/**
 * A unit file's bytes -> unit; `undefined` bytes -> `undefined`. Throws `CompactionError`
 * naming the file when it is not a unit.
 *
 * @example
 * ```ts
 * const unit = parseUnit(await store.get(key), key);
 * ```
 */
export function parseUnit(bytes: Uint8Array | undefined, key: string): UnitDocument | undefined {
  return bytes === undefined ? undefined : parsed(UnitFile, bytes, key, 'unit');
}

/**
 * Receipt -> the bytes of its file.
 *
 * @example
 * ```ts
 * await store.put(layout.receiptKey(path, generation, 0), serializeReceipt(receipt), { contentType: 'application/json' });
 * ```
 */
export function serializeReceipt(receipt: UnitReceipt): Uint8Array {
  return json(receipt);
}

/**
 * A receipt file's bytes -> receipt; `undefined` bytes -> `undefined`. Throws
 * `CompactionError` naming the file when it is not a receipt.
 *
 * @example
 * ```ts
 * const receipt = parseReceipt(await store.get(key), key);
 * ```
 */
export function parseReceipt(bytes: Uint8Array | undefined, key: string): UnitReceipt | undefined {
  return bytes === undefined ? undefined : parsed(ReceiptFile, bytes, key, 'receipt');
}
