/**
 * Device clocks send `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD HH:MM:SS.ffffff` without a zone
 * (a `T` instead of the space, up to nine fraction digits and a trailing `Z` are accepted
 * too); fleets we target keep them in UTC.
 *
 * Read digit by digit: steps call this once per record, and a regular expression, its
 * capture strings and a second `Date` to check the fields cost more than the rest of a
 * typical step together. A fleet's readings of one second arrive together and carry the
 * same text, so the last text read is remembered.
 */

const DIGIT_0 = 0x30;
const DASH = 0x2d;
const COLON = 0x3a;
const SPACE = 0x20;
const LETTER_T = 0x54;
const DOT = 0x2e;
const LETTER_Z = 0x5a;

/** `YYYY-MM-DD HH:MM:SS`: the shortest valid text. */
const BASE_LENGTH = 19;
/** Fraction digits read at most; fewer are padded, more are ignored (tables store milliseconds). */
const MAX_FRACTION_DIGITS = 9;

const MS_PER_DAY = 86_400_000;
/** Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar. */
const EPOCH_DAYS = 719_468;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
/** Weights of the first three fraction digits, in milliseconds. */
const FRACTION_MS = [100, 10, 1] as const;

/**
 * Years before 0100 stay refused, as they were when parsing went through `Date.UTC`, which
 * reads years 0-99 as 1900-1999: the same texts are rejected as before.
 */
const MIN_YEAR = 100;

const isLeapYear = (year: number): boolean => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/** Days since 1970-01-01 of a valid date, by the civil-from-days arithmetic of the proleptic Gregorian calendar. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - EPOCH_DAYS;
}

/** The digit at `i`, or -1. */
function digitAt(text: string, i: number): number {
  const d = text.charCodeAt(i) - DIGIT_0;
  return d >= 0 && d <= 9 ? d : -1;
}

/** The two-digit number at `i`, or -1. */
function twoDigits(text: string, i: number): number {
  const a = digitAt(text, i);
  const b = digitAt(text, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

const unparseable = (text: string): RangeError =>
  new RangeError(`unparseable device time '${text}': expected 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC)`);

const noSuchTime = (text: string): RangeError => new RangeError(`unparseable device time '${text}': no such date or time`);

/** The last text parsed and its instant (see above). */
let lastText: string | undefined;
let lastEpochMs = 0;

/**
 * Parses a device timestamp as UTC. Fractions finer than a millisecond are truncated
 * (tables store milliseconds). Throws on anything else, including impossible dates
 * (`2026-02-30`) and years before 0100, so a step using it sends the record to rejects
 * with the reason.
 *
 * @example
 * ```ts
 * parseDeviceTime('2026-11-23 08:15:02');        // 2026-11-23T08:15:02.000Z
 * parseDeviceTime('2026-11-23 08:15:02.123456'); // 2026-11-23T08:15:02.123Z
 * ```
 */
export function parseDeviceTime(text: string): Date {
  // Untyped callers may pass anything: it is read as text, as a pattern match would read it.
  if (typeof text !== 'string') text = `${text as unknown as string}`;
  // A new Date every time: callers own (and may change) what they get.
  if (text === lastText) return new Date(lastEpochMs);
  const epochMs = epochMsOf(text);
  lastText = text;
  lastEpochMs = epochMs;
  return new Date(epochMs);
}

/** The instant `text` names, in epoch milliseconds; throws what `parseDeviceTime` throws. */
function epochMsOf(text: string): number {
  const length = text.length;
  if (length < BASE_LENGTH) throw unparseable(text);
  const y0 = digitAt(text, 0);
  const y1 = digitAt(text, 1);
  const y2 = digitAt(text, 2);
  const y3 = digitAt(text, 3);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  const separator = text.charCodeAt(10);
  if (
    (y0 | y1 | y2 | y3 | month | day | hour | minute | second) < 0 ||
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    (separator !== SPACE && separator !== LETTER_T) ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON
  ) {
    throw unparseable(text);
  }

  let millis = 0;
  let end = length;
  if (text.charCodeAt(end - 1) === LETTER_Z) end--;
  if (end > BASE_LENGTH) {
    const digits = end - BASE_LENGTH - 1;
    if (text.charCodeAt(BASE_LENGTH) !== DOT || digits < 1 || digits > MAX_FRACTION_DIGITS) throw unparseable(text);
    for (let k = 0; k < digits; k++) {
      const d = digitAt(text, BASE_LENGTH + 1 + k);
      if (d < 0) throw unparseable(text);
      if (k < FRACTION_MS.length) millis += d * FRACTION_MS[k]!;
    }
  }

  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  if (year < MIN_YEAR || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) throw noSuchTime(text);
  const monthDays = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day > monthDays) throw noSuchTime(text);
  return daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
}
