import { z } from 'zod';

const compiled = new WeakMap<z.ZodType, z.ZodType>();

/**
 * The row schema as zod compiles it ahead of time (`z.compile`, once per schema): a valid
 * row takes zod's generated fast path, an invalid one zod's own parser, so a row fails with
 * exactly the issues `schema.safeParse` gives. A schema zod cannot compile comes back as
 * it is.
 *
 * @example
 * ```ts
 * const parsed = rowValidator(job.output.rows).safeParse(output);
 * if (!parsed.success) reject(formatIssues(parsed.error.issues));
 * ```
 */
export function rowValidator<S extends z.ZodType>(schema: S): S {
  let validator = compiled.get(schema);
  if (!validator) {
    validator = z.compile(schema);
    compiled.set(schema, validator);
  }
  return validator as S;
}
