import ms from 'ms';
import { JobDefinitionError } from '../errors.ts';
import { MeasureKind, type AggregateTableDeclaration } from '../job/aggregate.ts';
import type { Column, ColumnType } from '../schema/column-model.ts';
import { measureStates, type ResolvedMeasure } from './measure-states.ts';

/** An aggregate after load-time validation: what the pipeline, the view and compaction need. */
export interface ResolvedAggregate {
  /** The merged view users query: `<database>.<name>` as declared. */
  readonly view: { readonly database: string; readonly name: string };
  /** The timestamp field that places a row in a window. */
  readonly windowField: string;
  /** Window size in milliseconds; divides an hour. */
  readonly windowMs: number;
  /** Group key columns, as in the row schema. */
  readonly groupBy: readonly Column[];
  readonly measures: readonly ResolvedMeasure[];
  /** Columns of the partials table: `window_start`, the group keys, each measure's state. */
  readonly partialColumns: readonly Column[];
  /** Columns of the merged view: `window_start`, `window_end`, the group keys, each measure. */
  readonly viewColumns: readonly Column[];
}

const HOUR_MS = 3_600_000;
const GROUPABLE_KINDS: ReadonlySet<string> = new Set(['string', 'int32', 'int64', 'boolean', 'timestamp', 'double']);
const NUMERIC_KINDS: ReadonlySet<string> = new Set(['int32', 'int64', 'double']);
const COLUMN_NAME = /^[a-z_][a-z0-9_]*$/;
const MEASURE_KINDS: ReadonlySet<string> = new Set(Object.values(MeasureKind));
const timestamp: ColumnType = { kind: 'timestamp', source: 'date' };

/** The table name that stores an aggregate's partials. */
export const partialsTableName = (viewName: string): string => `${viewName}_partials`;

/**
 * Checks an aggregate declaration against its row columns and derives the partial and view
 * columns. Every mistake is a `JobDefinitionError` naming the field and the fix.
 *
 * @example
 * ```ts
 * const aggregate = resolveAggregate('sensor-hourly', declaration, columnsOf(declaration.rows));
 * aggregate.viewColumns.map((c) => c.name); // ['window_start', 'window_end', 'device_id', 'readings', ...]
 * ```
 */
export function resolveAggregate(job: string, output: AggregateTableDeclaration, columns: readonly Column[]): ResolvedAggregate {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const window = output.window;
  if (!window || window.kind !== 'tumbling') {
    throw new JobDefinitionError(job, "output.window: use tumbling('<size>', { on: '<timestamp field>' }), e.g. tumbling('5 minutes', { on: 'event_time' })");
  }
  const windowMs = typeof window.size === 'string' ? ms(window.size as ms.StringValue) : Number.NaN;
  if (typeof windowMs !== 'number' || !Number.isInteger(windowMs) || windowMs < 1000 || windowMs > HOUR_MS || HOUR_MS % windowMs !== 0 || windowMs % 1000 !== 0) {
    throw new JobDefinitionError(
      job,
      `output.window size '${String(window.size)}': use whole seconds that divide an hour, from '1 second' to '1 hour' (e.g. '1 minute', '5 minutes', '15 minutes', '1 hour'), so each window lies in one hour partition`,
    );
  }
  const groupBy = (Array.isArray(output.groupBy) ? output.groupBy : []).map((name) => {
    const column = byName.get(name);
    if (!column) throw new JobDefinitionError(job, `output.groupBy '${name}': no such field in output.rows; name a field of the row schema`);
    if (!GROUPABLE_KINDS.has(column.type.kind)) {
      throw new JobDefinitionError(job, `output.groupBy '${name}': a ${column.type.kind} field cannot be a group key; use a string, number, boolean or timestamp field`);
    }
    return column;
  });
  const seenGroups = new Set<string>();
  for (const column of groupBy) {
    if (seenGroups.has(column.name)) throw new JobDefinitionError(job, `output.groupBy '${column.name}' is listed twice; list it once`);
    seenGroups.add(column.name);
  }
  const measureEntries = Object.entries(output.measures ?? {});
  if (measureEntries.length === 0) {
    throw new JobDefinitionError(job, 'output.measures: declare at least one measure, e.g. (m) => ({ readings: m.count() })');
  }
  const measures = measureEntries.map(([name, measure]): ResolvedMeasure => resolveMeasure(job, name, measure, byName));
  const partialColumns: Column[] = [
    { name: 'window_start', type: timestamp, nullable: false },
    ...groupBy,
    ...measures.flatMap((m) => m.stateColumns),
  ];
  const viewColumns: Column[] = [
    { name: 'window_start', type: timestamp, nullable: false },
    { name: 'window_end', type: timestamp, nullable: false },
    ...groupBy,
    ...measures.map((m) => ({ name: m.name, type: measureStates[m.kind].viewType, nullable: true })),
  ];
  for (const columnsOfTable of [partialColumns, viewColumns]) {
    const seen = new Set<string>();
    for (const c of columnsOfTable) {
      if (seen.has(c.name)) {
        throw new JobDefinitionError(job, `output.measures '${c.name}': the name is taken by the window, a group key or another measure's state; rename the measure`);
      }
      seen.add(c.name);
    }
  }
  return { view: { database: output.database, name: output.name }, windowField: window.on, windowMs, groupBy, measures, partialColumns, viewColumns };
}

function resolveMeasure(job: string, name: string, measure: unknown, byName: ReadonlyMap<string, Column>): ResolvedMeasure {
  const where = `output.measures.${name}`;
  if (!COLUMN_NAME.test(name)) {
    throw new JobDefinitionError(job, `${where}: Athena column names take lowercase letters, digits and "_"; rename it`);
  }
  const m = measure as { kind?: unknown; field?: unknown; quantile?: unknown } | null;
  if (!m || typeof m.kind !== 'string' || !MEASURE_KINDS.has(m.kind)) {
    throw new JobDefinitionError(job, `${where}: build it with the measure builder, e.g. (m) => ({ ${name}: m.count() })`);
  }
  const kind = m.kind as MeasureKind;
  const spec = measureStates[kind];
  if (spec.needsField) {
    const column = typeof m.field === 'string' ? byName.get(m.field) : undefined;
    if (!column) throw new JobDefinitionError(job, `${where}: m.${kind}('${String(m.field)}') names no field of output.rows; name a field of the row schema`);
    if (spec.numeric && !NUMERIC_KINDS.has(column.type.kind)) {
      throw new JobDefinitionError(job, `${where}: ${kind} needs a numeric field, and '${column.name}' is ${column.type.kind}; measure a number field or use m.count() / m.approxDistinct()`);
    }
    if (!spec.numeric && !GROUPABLE_KINDS.has(column.type.kind)) {
      throw new JobDefinitionError(job, `${where}: ${kind} cannot count ${column.type.kind} values; use a string, number, boolean or timestamp field`);
    }
  }
  if (kind === MeasureKind.ApproxPercentile) {
    if (typeof m.quantile !== 'number' || !(m.quantile >= 0 && m.quantile <= 1)) {
      throw new JobDefinitionError(job, `${where}: the quantile must be a number from 0 to 1 (e.g. 0.95 for the 95th percentile)`);
    }
  }
  return {
    name,
    kind,
    ...(spec.needsField ? { field: m.field as string } : {}),
    ...(kind === MeasureKind.ApproxPercentile ? { quantile: m.quantile as number } : {}),
    stateColumns: spec.stateColumns(name),
  };
}
