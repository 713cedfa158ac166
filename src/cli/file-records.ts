import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import type { ProducerRecord } from '../kinesis/producer.ts';

/**
 * Options of {@link fileRecords}.
 *
 * @example
 * ```ts
 * const options: FileRecordsOptions = { path: 'readings.ndjson', base64: false, partitionKeyField: 'client_id' };
 * ```
 */
export interface FileRecordsOptions {
  readonly path: string;
  /** Each line is the base64 of a record's bytes; an empty line is a zero-byte record. */
  readonly base64: boolean;
  /** Key each record by this top-level field of its JSON (records of one device stay in order on one shard). */
  readonly partitionKeyField?: string;
}

/**
 * A line of the file that was not put, and why.
 *
 * @example
 * ```ts
 * const skipped: SkippedLine = { line: 4, reason: 'blank line' };
 * ```
 */
export interface SkippedLine {
  /** 1-based. */
  readonly line: number;
  readonly reason: string;
}

/**
 * What a file holds: the records to put, and the lines that cannot be records.
 *
 * @example
 * ```ts
 * const { records, skipped } = await fileRecords({ path: 'lines.ndjson', base64: false });
 * ```
 */
export interface FileRecords {
  readonly records: ProducerRecord[];
  readonly skipped: SkippedLine[];
}

/** Kinesis's limits: a record's data plus its partition key at most 1 MiB, a key 1-256 characters. */
const MAX_RECORD_BYTES = 1_048_576;
const MAX_PARTITION_KEY_CHARS = 256;
/** Standard or URL-safe alphabet, padding optional: what `Buffer.from(line, 'base64')` reads without dropping anything. */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A line's partition key, or why it has none. */
type KeyOf = (data: Uint8Array, line: number) => { key: string } | { skip: string };

const byLineNumber: KeyOf = (_data, line) => ({ key: `line-${line}` });

function byField(field: string): KeyOf {
  return (data) => {
    let value: unknown;
    try {
      value = JSON.parse(strictUtf8.decode(data));
    } catch {
      return { skip: `not JSON, so no field '${field}' to key it by` };
    }
    const raw = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[field] : undefined;
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      return { skip: `no field '${field}' holding a string, number or boolean to key it by` };
    }
    const key = String(raw);
    if (key.length === 0 || key.length > MAX_PARTITION_KEY_CHARS) {
      return { skip: `field '${field}' is ${key.length} characters; a Kinesis partition key has 1 to ${MAX_PARTITION_KEY_CHARS}` };
    }
    return { key };
  };
}

/** A line's bytes, or why it has none. */
function bytesOf(text: string, options: FileRecordsOptions): { data: Uint8Array } | { skip: string } {
  if (!options.base64) return text.trim() === '' ? { skip: 'blank line (put a zero-byte record with --base64 and an empty line)' } : { data: utf8.encode(text) };
  const line = text.trim();
  if (!BASE64.test(line) || line.replace(/=+$/, '').length % 4 === 1) return { skip: 'not base64' };
  return { data: new Uint8Array(Buffer.from(line, 'base64')) };
}

/**
 * Records from a file: one record's data per line. Text lines are put as they are (blank
 * lines are skipped); with `base64`, each line is the base64 of arbitrary bytes and an
 * empty line is a zero-byte record. Records are keyed by line number, spreading them over
 * shards, or by a field of their JSON. A line that cannot be a record (blank, not base64,
 * no key field, over Kinesis's 1 MiB) is skipped with its reason, so the caller can say
 * what it left out.
 *
 * @example
 * ```ts
 * const { records, skipped } = await fileRecords({ path: 'readings.ndjson', base64: false, partitionKeyField: 'client_id' });
 * for (const s of skipped) log.warn(`line ${s.line}: ${s.reason}`);
 * ```
 */
export async function fileRecords(options: FileRecordsOptions): Promise<FileRecords> {
  const text = await readFile(options.path, 'utf8').catch((error: Error) => {
    throw new UsageError(`cannot read --file ${options.path}: ${error.message}`);
  });
  const lines = text.split(/\r?\n/);
  // A final newline ends the last line; it does not start an empty one.
  if (lines.at(-1) === '') lines.pop();
  const keyOf = options.partitionKeyField === undefined ? byLineNumber : byField(options.partitionKeyField);
  const records: ProducerRecord[] = [];
  const skipped: SkippedLine[] = [];
  lines.forEach((content, i) => {
    const line = i + 1;
    const bytes = bytesOf(content, options);
    if ('skip' in bytes) return void skipped.push({ line, reason: bytes.skip });
    const keyed = keyOf(bytes.data, line);
    if ('skip' in keyed) return void skipped.push({ line, reason: keyed.skip });
    const size = bytes.data.byteLength + utf8.encode(keyed.key).byteLength;
    if (size > MAX_RECORD_BYTES) return void skipped.push({ line, reason: `${size} bytes with its partition key, over Kinesis's ${MAX_RECORD_BYTES}-byte record limit` });
    records.push({ data: bytes.data, partitionKey: keyed.key });
  });
  return { records, skipped };
}
