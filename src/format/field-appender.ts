/** Something values are appended to, one at a time. */
export interface ValueSink {
  append(value: unknown): void;
}

/** Appends an object's fields to their sinks, in declared order. */
export type FieldAppender = (value: Readonly<Record<string, unknown>>) => void;

/**
 * An appender of the named fields of an object to their sinks (`sinks[i]` takes field
 * `names[i]`). Reading fields from a list of names makes V8 look each one up by name at run
 * time and call whichever sink comes next (a megamorphic load and call per field, the most
 * expensive part of turning a row into columns); a function generated with the names spelled
 * out and one sink per line reads each field with a fixed shape and calls one known sink.
 * Where code generation is not allowed (`--disallow-code-generation-from-strings`), the
 * keyed loop appends the same values, slower.
 *
 * @example
 * ```ts
 * const append = fieldAppender(['a', 'b'], [columnA, columnB]);
 * append({ a: 1, b: 'x' }); // columnA.append(1); columnB.append('x')
 * ```
 */
export function fieldAppender(names: readonly string[], sinks: readonly ValueSink[]): FieldAppender {
  const make = generatedFor(names);
  return make ? make(sinks) : keyed(names, sinks);
}

type AppenderFactory = (sinks: readonly ValueSink[]) => FieldAppender;

/**
 * One generated factory per list of names, for the process's life: every table of a job
 * (a new one per file and batch) gets its appender from the same function, so V8 compiles
 * and optimises it once, not once per file.
 */
const factories = new Map<string, AppenderFactory | null>();

function generatedFor(names: readonly string[]): AppenderFactory | undefined {
  const key = JSON.stringify(names);
  let make = factories.get(key);
  if (make === undefined) {
    make = generated(names) ?? null;
    factories.set(key, make);
  }
  return make ?? undefined;
}

function generated(names: readonly string[]): AppenderFactory | undefined {
  const body = [
    ...names.map((_, i) => `const s${i} = sinks[${i}];`),
    `return (v) => {`,
    ...names.map((name, i) => `  s${i}.append(v[${JSON.stringify(name)}]);`),
    `};`,
  ].join('\n');
  try {
    return new Function('sinks', body) as AppenderFactory;
  } catch {
    return undefined;
  }
}

function keyed(names: readonly string[], sinks: readonly ValueSink[]): FieldAppender {
  return (value) => {
    for (let i = 0; i < names.length; i++) sinks[i]!.append(value[names[i]!]);
  };
}
