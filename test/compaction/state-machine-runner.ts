/**
 * Runs an Amazon States Language definition in this process, as Step Functions would, for
 * the subset the compaction state machine uses: Task (`lambda:invoke`), Map (inline), Pass;
 * Parameters / ItemSelector / ResultSelector with `.$` JSONPath fields (`$...`, `$$.Execution.StartTime`,
 * `$$.Map.Item.Value`), ResultPath, OutputPath, Retry (at once, no waiting) and Catch. Every
 * payload and answer crosses as JSON, as it does between Step Functions and Lambda, so a
 * value that would not survive the trip fails here too.
 */

/** A Lambda invocation: the function named in the Task, with the Task's payload. */
export type Invoke = (functionName: string, payload: unknown) => Promise<unknown>;

type Json = unknown;
type State = Record<string, any>;

/** A failed Task as Step Functions reports it: `Error` (the error's name) and `Cause` (Lambda's JSON). */
export class StatesError extends Error {
  readonly error: string;
  override readonly cause: string;
  constructor(error: string, cause: string) {
    super(`${error}: ${cause}`);
    this.name = 'StatesError';
    this.error = error;
    this.cause = cause;
  }
}

const roundTrip = (value: unknown): Json => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

function read(path: string, input: Json, context: Json): Json {
  const [root, ...keys] = path.startsWith('$$') ? ['$$', ...path.slice(3).split('.').filter(Boolean)] : ['$', ...path.slice(2).split('.').filter(Boolean)];
  let value: any = root === '$$' ? context : input;
  for (const key of keys) {
    if (value === null || typeof value !== 'object' || !(key in value)) throw new StatesError('States.Runtime', `JSONPath ${path} found nothing`);
    value = value[key];
  }
  return value;
}

function fill(template: Json, input: Json, context: Json): Json {
  if (Array.isArray(template)) return template.map((t) => fill(t, input, context));
  if (template === null || typeof template !== 'object') return template;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) out[key.slice(0, -2)] = read(value as string, input, context);
    else out[key] = fill(value, input, context);
  }
  return out;
}

function place(input: Json, resultPath: string | null | undefined, result: Json): Json {
  if (resultPath === null) return input;
  if (resultPath === undefined || resultPath === '$') return result;
  const keys = resultPath.slice(2).split('.');
  const out: any = structuredClone(input);
  let at = out;
  for (const key of keys.slice(0, -1)) at = at[key] ??= {};
  at[keys.at(-1)!] = result;
  return out;
}

const matches = (errorEquals: readonly string[], error: StatesError) => errorEquals.includes('States.ALL') || errorEquals.includes(error.error);

async function task(state: State, input: Json, context: Json, invoke: Invoke): Promise<Json> {
  if (state['Resource'] !== 'arn:aws:states:::lambda:invoke') throw new Error(`unsupported Task resource ${String(state['Resource'])}`);
  const parameters = fill(state['Parameters'], input, context) as { FunctionName: string; Payload: Json };
  const retries = (state['Retry'] ?? []) as Array<{ ErrorEquals: string[]; MaxAttempts?: number }>;
  const attempts = new Map<number, number>();
  for (;;) {
    try {
      const answer = roundTrip(await invoke(parameters.FunctionName, roundTrip(parameters.Payload)));
      return { Payload: answer, StatusCode: 200 };
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      const failure = new StatesError(e.name, JSON.stringify({ errorType: e.name, errorMessage: e.message }));
      const rule = retries.findIndex((r) => matches(r.ErrorEquals, failure));
      const used = attempts.get(rule) ?? 0;
      if (rule < 0 || used >= (retries[rule]!.MaxAttempts ?? 3)) throw failure;
      attempts.set(rule, used + 1);
    }
  }
}

async function map(state: State, input: Json, context: Json, invoke: Invoke): Promise<Json> {
  const items = read(state['ItemsPath'] ?? '$', input, context) as Json[];
  const limit = state['MaxConcurrency'] || items.length || 1;
  const results: Json[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const itemContext = { ...(context as object), Map: { Item: { Index: index, Value: items[index] } } };
      const itemInput = state['ItemSelector'] === undefined ? items[index] : fill(state['ItemSelector'], input, itemContext);
      results[index] = await machine(state['ItemProcessor'], itemInput, context, invoke);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, Math.max(1, items.length)) }, worker));
  return results;
}

const kinds: Readonly<Record<string, (state: State, input: Json, context: Json, invoke: Invoke) => Promise<Json>>> = {
  Task: task,
  Map: map,
  Pass: async (state, input, context) => (state['Parameters'] === undefined ? input : fill(state['Parameters'], input, context)),
};

async function machine(definition: State, input: Json, context: Json, invoke: Invoke): Promise<Json> {
  let name: string = definition['StartAt'];
  let value = input;
  for (;;) {
    const state = definition['States'][name] as State;
    const run = kinds[state['Type']];
    if (run === undefined) throw new Error(`unsupported state type ${String(state['Type'])}`);
    let output: Json;
    let nextName: string | undefined = state['Next'];
    try {
      let result = await run(state, value, context, invoke);
      if (state['ResultSelector'] !== undefined) result = fill(state['ResultSelector'], result, context);
      output = place(value, state['ResultPath'], result);
      if (state['OutputPath'] !== undefined) output = read(state['OutputPath'], output, context);
    } catch (error) {
      if (!(error instanceof StatesError)) throw error;
      const handler = ((state['Catch'] ?? []) as Array<{ ErrorEquals: string[]; ResultPath?: string; Next: string }>).find((c) => matches(c.ErrorEquals, error));
      if (handler === undefined) throw error;
      output = place(value, handler.ResultPath, { Error: error.error, Cause: error.cause });
      nextName = handler.Next;
    }
    if (state['End'] === true && nextName === state['Next']) return output;
    value = output;
    name = nextName!;
  }
}

/**
 * Runs the definition from its start with `input`; resolves with the last state's output,
 * rejects with {@link StatesError} when the execution fails.
 *
 * @example
 * ```ts
 * const output = await runStateMachine(definition, {}, { startTime: new Date(), invoke: (fn, payload) => handler(payload) });
 * ```
 */
export function runStateMachine(definition: State, input: Json, options: { readonly startTime: Date; readonly invoke: Invoke }): Promise<Json> {
  return machine(definition, roundTrip(input), { Execution: { StartTime: options.startTime.toISOString() } }, options.invoke);
}
