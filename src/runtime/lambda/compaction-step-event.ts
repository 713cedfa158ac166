import { z } from 'zod';
import type { CompactionReport, PartitionOutcome } from '../../compaction/compaction-report.ts';
import { CompactionError } from '../../errors.ts';

/**
 * The events the compaction state machine sends the compaction function, one per step of a
 * fanned-out run (src/compaction/compaction-run.ts). Validated on arrival: a malformed event
 * is a bug in the state machine's definition, reported as such, never half acted on.
 */

const count = z.number().int().nonnegative();
const Clock = z.object({ now: z.iso.datetime(), deadline: z.iso.datetime().optional() });
const Planned = z.object({
  path: z.string().min(1),
  values: z.array(z.string()),
  hourEnd: z.iso.datetime(),
  generation: count,
  planId: z.string().min(1),
  units: count,
  filesDeleted: count,
  waiting: count,
  rolledForward: z.boolean(),
  unitIndexes: z.array(count).optional(),
});
/** Reports and outcomes come from the function's own earlier steps, through the state machine as they were. */
const Report = z.custom<CompactionReport>((value) => typeof value === 'object' && value !== null && 'partitions' in value && 'details' in value);
const Result = z.union([
  z.object({ outcome: z.custom<PartitionOutcome>((value) => typeof value === 'object' && value !== null && 'status' in value) }),
  // A failed unit or commit, caught by the state machine: `error` is the Catch's `Cause`.
  z.object({ failure: z.object({ partition: z.string(), error: z.unknown() }) }),
]);

const StepEvent = z.discriminatedUnion('step', [
  z.object({
    step: z.literal('plan'),
    /** When the execution started (`$$.Execution.StartTime`): the run's clock. */
    startedAt: z.iso.datetime().optional(),
    /** How long the run may take: its steps stop writing this long after `startedAt`. */
    runSeconds: z.number().int().positive().optional(),
    maxPartitions: z.number().int().positive().optional(),
  }),
  z.object({ step: z.literal('unit'), run: Clock, partition: Planned, unit: count }),
  z.object({ step: z.literal('commit'), run: Clock, partition: Planned }),
  z.object({ step: z.literal('report'), run: Clock, settled: Report, unreached: count.optional(), results: z.array(Result) }),
]);

/**
 * One step's event, as the state machine sends it.
 *
 * @example
 * ```ts
 * const event: CompactionStepEvent = { step: 'unit', run: { now: '2026-11-23T10:00:00.000Z' }, partition, unit: 0 };
 * ```
 */
export type CompactionStepEvent = z.infer<typeof StepEvent>;

/**
 * The step names, as the state machine's definition names them.
 *
 * @example
 * ```ts
 * const step: CompactionStepName = 'commit';
 * ```
 */
export type CompactionStepName = CompactionStepEvent['step'];

/**
 * Whether an invocation's event is a step's (it names one), rather than a scheduled event.
 *
 * @example
 * ```ts
 * isStepEvent({ step: 'plan' }); // true
 * isStepEvent({ 'detail-type': 'Scheduled Event' }); // false
 * ```
 */
export function isStepEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'step' in event;
}

/**
 * The event as a step's, or `CompactionError` saying what is wrong with it.
 *
 * @example
 * ```ts
 * const event = parseStepEvent(raw);
 * ```
 */
export function parseStepEvent(event: unknown): CompactionStepEvent {
  const parsed = StepEvent.safeParse(event);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new CompactionError(`the compaction function got a step event it cannot act on (${issues}): the state machine's definition and the function's code are of different versions; deploy them together`);
  }
  return parsed.data;
}
