import { CatalogError } from '../errors.ts';
import type { Column, ColumnType } from '../schema/column-model.ts';

/**
 * Glue/Athena (Hive) type strings -> column model: the inverse of `glueType` in
 * src/schema/glue-types.ts, so a table read back from Glue can be compared with a job's table.
 *
 * A Glue type string says nothing about nullability or writer hints, so what it cannot say
 * is filled with the most permissive reading: struct fields and list elements may be null,
 * strings are plain (not dictionary-encoded), timestamps arrive as `Date`s. Those hints are
 * writer details that `sameColumnType` ignores; nullability is decided by the caller.
 */

/** Glue's primitive type names (as `glueType` writes them) -> column types. */
const primitives: Readonly<Record<string, ColumnType>> = {
  string: { kind: 'string', dictionary: false },
  double: { kind: 'double' },
  bigint: { kind: 'int64' },
  int: { kind: 'int32' },
  boolean: { kind: 'boolean' },
  timestamp: { kind: 'timestamp', source: 'date' },
};

/** Parameterised Glue type names -> how to read what follows the name, `<` included. */
const composites: Readonly<Record<string, (cursor: Cursor) => ColumnType>> = {
  struct: readStructBody,
  array: readArrayBody,
};

const SUPPORTED = `${Object.keys(primitives).join(', ')}, struct<...>, array<...>`;

/**
 * The column type a Glue type string describes. Type names are read case-insensitively
 * and whitespace between tokens is ignored, as Hive does; struct field names keep their case.
 * Throws `CatalogError` naming the type and what sluice can read when the string is
 * malformed or uses a type sluice has no column kind for (decimal, map, varchar, ...).
 *
 * @example
 * ```ts
 * parseGlueType('array<struct<x:double,y:double>>');
 * // { kind: 'list', elementNullable: true, element: { kind: 'struct', fields: [
 * //   { name: 'x', type: { kind: 'double' }, nullable: true }, { name: 'y', ... }] } }
 * ```
 */
export function parseGlueType(text: string): ColumnType {
  const cursor = new Cursor(text);
  const type = readType(cursor);
  cursor.skipSpace();
  if (!cursor.atEnd()) cursor.fail(`unexpected '${cursor.rest()}' after the type`);
  return type;
}

function readType(cursor: Cursor): ColumnType {
  const name = cursor.readWord().toLowerCase();
  const primitive = primitives[name];
  if (primitive !== undefined) return primitive;
  const composite = composites[name];
  if (composite !== undefined) return composite(cursor);
  throw new CatalogError(
    `Glue type '${cursor.text}' uses type '${name || cursor.rest()}', which sluice has no column kind for; ` +
      `sluice reads ${SUPPORTED}: change the table's column to one of those, or leave the table out of sluice`,
  );
}

function readStructBody(cursor: Cursor): ColumnType {
  cursor.expect('<');
  const fields: Column[] = [];
  do {
    const name = cursor.readFieldName();
    cursor.expect(':');
    fields.push({ name, type: readType(cursor), nullable: true });
  } while (cursor.accept(','));
  cursor.expect('>');
  return { kind: 'struct', fields };
}

function readArrayBody(cursor: Cursor): ColumnType {
  cursor.expect('<');
  const element = readType(cursor);
  cursor.expect('>');
  return { kind: 'list', element, elementNullable: true };
}

/** Position in the type string being read; every failure names the whole string and the position. */
class Cursor {
  readonly text: string;
  #at = 0;

  constructor(text: string) {
    this.text = text;
  }

  atEnd(): boolean {
    return this.#at >= this.text.length;
  }

  rest(): string {
    return this.text.slice(this.#at);
  }

  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.#at]!)) this.#at++;
  }

  /** A type name: letters, digits and `_` (a `decimal(10,2)` stops at the parenthesis and is refused by name). */
  readWord(): string {
    this.skipSpace();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.rest());
    if (match === null) this.fail('expected a type name');
    this.#at += match[0].length;
    return match[0];
  }

  /** A struct field name: plain, or in backticks as Hive DDL quotes names with unusual characters. */
  readFieldName(): string {
    this.skipSpace();
    const quoted = /^`([^`]+)`/.exec(this.rest());
    const plain = /^[^\s:,<>`]+/.exec(this.rest());
    const match = quoted ?? plain;
    if (match === null) this.fail('expected a struct field name');
    this.#at += match[0].length;
    return match[1] ?? match[0];
  }

  accept(token: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(token, this.#at)) return false;
    this.#at += token.length;
    return true;
  }

  expect(token: string): void {
    if (!this.accept(token)) this.fail(`expected '${token}'`);
  }

  fail(problem: string): never {
    throw new CatalogError(
      `cannot read Glue type '${this.text}': ${problem} at position ${this.#at}; ` +
        `sluice reads ${SUPPORTED} written as Glue writes them, e.g. struct<x:double,tags:array<string>>`,
    );
  }
}
