/**
 * ISO-8601 text -> an instant, with a date-time that names no zone read as UTC.
 *
 * `Date.parse('2026-11-23T08:00:00')` reads a zone-less date-time in the machine's time
 * zone (while a date alone is UTC), so the same record would land in another hour on a
 * laptop in New York than in Lambda, whose zone is UTC. Tables store UTC instants and
 * partitions are UTC hours: zone-less texts (`z.iso.datetime({ local: true })`, device
 * clocks) are UTC wherever sluice runs.
 */

/** Offset `T`/space at which a date-time's time part starts: `YYYY-MM-DD`. */
const DATE_LENGTH = 10;
const LETTER_T = 0x54;
const LETTER_T_LOWER = 0x74;
const SPACE = 0x20;
/** A zone designator in the time part: `Z`, or the sign of an offset (`+01:00`, `-05:00`). */
const ZONE = /[Zz+-]/;

/**
 * The epoch milliseconds an ISO-8601 date or date-time names; NaN when it names none.
 * A date-time without `Z` or an offset is UTC, as a date alone already is.
 *
 * @example
 * ```ts
 * isoInstantMs('2026-11-23T08:00:00');       // Date.UTC(2026, 10, 23, 8), in any time zone
 * isoInstantMs('2026-11-23T08:00:00+01:00'); // Date.UTC(2026, 10, 23, 7)
 * isoInstantMs('not a time');                // NaN
 * ```
 */
export function isoInstantMs(text: string): number {
  const separator = text.charCodeAt(DATE_LENGTH);
  const dateTime = separator === LETTER_T || separator === LETTER_T_LOWER || separator === SPACE;
  return Date.parse(dateTime && !ZONE.test(text.slice(DATE_LENGTH + 1)) ? `${text}Z` : text);
}
