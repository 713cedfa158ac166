/**
 * Typed steps of a job: `map`, `filter`, `flatMap`. A `Steps<T>` is an immutable list of
 * operations whose output type is `T`; the compiler checks the last step's `T` against the
 * output table's row schema.
 */

/** What a step may know about the record it works on. No AWS types. */
export interface RecordMeta {
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** Position inside a KPL-aggregated record; absent for plain records. */
  readonly subSequenceNumber?: number;
  readonly partitionKey: string;
  /** When the stream accepted the record (Kinesis' approximate arrival timestamp). */
  readonly arrivalTime: Date;
}

export const StepKind = { Map: 'map', Filter: 'filter', FlatMap: 'flatMap' } as const;
export type StepKind = (typeof StepKind)[keyof typeof StepKind];

export interface StepOptions {
  /** Shown in reject reasons when the step throws; defaults to `<kind> #<position>`. */
  readonly name?: string;
}

export interface StepOp {
  readonly kind: StepKind;
  readonly name: string;
  readonly fn: (value: unknown, meta: RecordMeta) => unknown;
}

/**
 * A chain of typed steps. Build one from the `s` a job's `steps` function receives.
 *
 * @example
 * ```ts
 * steps: (s) => s
 *   .map((m) => ({ id: m.client_id, t: m.temperature }))
 *   .filter((r) => r.t > -60)
 *   .flatMap((r) => [r, { ...r, id: `${r.id}-copy` }]),
 * ```
 */
export class Steps<T> {
  /** Phantom: makes `Steps<T>` covariant in `T`, so a missing output field is a compile error. */
  declare readonly '~out': T;
  readonly ops: readonly StepOp[];

  private constructor(ops: readonly StepOp[]) {
    this.ops = ops;
  }

  /** The empty chain: its output is its input. */
  static start<T>(): Steps<T> {
    return new Steps<T>([]);
  }

  private then<U>(kind: StepKind, fn: (value: never, meta: RecordMeta) => unknown, options: StepOptions): Steps<U> {
    const name = options.name ?? `${kind} #${this.ops.length + 1}`;
    return new Steps<U>([...this.ops, { kind, name, fn: fn as StepOp['fn'] }]);
  }

  /** One output per input. */
  map<U>(fn: (value: T, meta: RecordMeta) => U, options: StepOptions = {}): Steps<U> {
    return this.then<U>(StepKind.Map, fn, options);
  }

  /** Keeps the inputs for which `fn` is true; a type guard narrows the type. */
  filter<S extends T>(fn: (value: T, meta: RecordMeta) => value is S, options?: StepOptions): Steps<S>;
  filter(fn: (value: T, meta: RecordMeta) => boolean, options?: StepOptions): Steps<T>;
  filter(fn: (value: T, meta: RecordMeta) => boolean, options: StepOptions = {}): Steps<T> {
    return this.then<T>(StepKind.Filter, fn, options);
  }

  /** Zero or more outputs per input. */
  flatMap<U>(fn: (value: T, meta: RecordMeta) => Iterable<U>, options: StepOptions = {}): Steps<U> {
    return this.then<U>(StepKind.FlatMap, fn, options);
  }
}

/** A step threw: carries which one, so the reject reason can name it. */
export class StepFailure {
  constructor(
    readonly step: StepOp,
    readonly position: number,
    readonly error: unknown,
  ) {}
}

export type Emit = (value: unknown, meta: RecordMeta) => void;

/**
 * Compiles a chain into one push function: `run(value, meta)` calls `sink` once per output.
 * A throwing step surfaces as a `StepFailure`; the sink's own errors pass through untouched.
 */
export function compileSteps(ops: readonly StepOp[], sink: Emit): Emit {
  let next = sink;
  for (let i = ops.length - 1; i >= 0; i--) next = wrapStep(ops[i]!, i + 1, next);
  return next;
}

const call = (op: StepOp, position: number, value: unknown, meta: RecordMeta): unknown => {
  try {
    return op.fn(value, meta);
  } catch (error) {
    throw new StepFailure(op, position, error);
  }
};

const stepWrappers: { readonly [K in StepKind]: (op: StepOp, position: number, next: Emit) => Emit } = {
  map: (op, position, next) => (value, meta) => next(call(op, position, value, meta), meta),
  filter: (op, position, next) => (value, meta) => {
    if (call(op, position, value, meta)) next(value, meta);
  },
  flatMap: (op, position, next) => (value, meta) => {
    const outputs = call(op, position, value, meta) as Iterable<unknown>;
    let items: unknown[];
    try {
      items = [...outputs];
    } catch (error) {
      throw new StepFailure(op, position, error);
    }
    for (const item of items) next(item, meta);
  },
};

function wrapStep(op: StepOp, position: number, next: Emit): Emit {
  return stepWrappers[op.kind](op, position, next);
}
