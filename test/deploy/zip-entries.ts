import { inflateRawSync } from 'node:zlib';

/**
 * One file of a zip archive.
 *
 * @example
 * ```ts
 * const entry: ZipEntry = { name: 'src/runtime/lambda/bundle-entry.mjs', data: new Uint8Array() };
 * ```
 */
export interface ZipEntry {
  readonly name: string;
  readonly data: Uint8Array;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const inflaters: Readonly<Record<number, (bytes: Buffer) => Buffer>> = {
  0: (bytes) => bytes,
  8: (bytes) => inflateRawSync(bytes),
};

/**
 * The files of a zip archive (stored or deflated, no zip64), read from its central
 * directory: enough to look inside a Lambda artifact without an unzip tool on the machine.
 *
 * @example
 * ```ts
 * zipEntries(await readFile('sluice-sensor-readings.zip')).map((e) => e.name);
 * // ['src/runtime/lambda/bundle-entry.mjs']
 * ```
 */
export function zipEntries(zip: Buffer): ZipEntry[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || zip.readUInt32LE(end) !== END_OF_CENTRAL_DIRECTORY) throw new Error('not a zip archive: no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL_FILE_HEADER) throw new Error(`zip central directory entry ${i} is corrupt`);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    if (zip.readUInt32LE(localHeader) !== LOCAL_FILE_HEADER) throw new Error(`zip entry ${name}: corrupt local header`);
    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const inflate = inflaters[method];
    if (!inflate) throw new Error(`zip entry ${name}: compression method ${method} is not supported here`);
    entries.push({ name, data: new Uint8Array(inflate(zip.subarray(dataStart, dataStart + compressedSize))) });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
