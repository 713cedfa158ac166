/**
 * `parseDeviceTime` reads digits one by one; the pattern-and-two-Dates version below is the
 * reference it must equal: the same instant for every text it accepts, the same error
 * (class and message) for every text it refuses. Texts come from a generator that mixes
 * valid timestamps, near misses (one field out of range, a wrong separator, a fraction of
 * 0-12 digits, a missing or doubled `Z`, non-ASCII digits) and arbitrary strings.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDeviceTime } from '../../src/schema/device-time.ts';

const DEVICE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/;

/** The implementation the digit-by-digit parser replaced, kept verbatim as the reference. */
function referenceParseDeviceTime(text: string): Date {
  const m = DEVICE_TIME.exec(text);
  if (!m) throw new RangeError(`unparseable device time '${text}': expected 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC)`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const d = new Date(epochMs);
  if (
    month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 ||
    d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day
  ) {
    throw new RangeError(`unparseable device time '${text}': no such date or time`);
  }
  return d;
}

type Outcome = { readonly ms: number } | { readonly error: string; readonly message: string };

function outcome(parse: (text: string) => Date, text: unknown): Outcome {
  try {
    return { ms: parse(text as string).getTime() };
  } catch (error) {
    return { error: (error as Error).constructor.name, message: (error as Error).message };
  }
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** A field's digits: mostly in range, sometimes just outside it. */
const field = (max: number, width: number): fc.Arbitrary<string> =>
  fc.oneof({ weight: 15, arbitrary: fc.integer({ min: 0, max }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 10 ** width - 1 }) }).map((n) => pad(n, width));

const year = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1900, max: 2100 }) },
  // Leap-year rules at the centuries, the years Date.UTC reads as 19xx, and the far ends.
  { weight: 2, arbitrary: fc.constantFrom(0, 1, 99, 100, 101, 1600, 1700, 1900, 2000, 2100, 2400, 9999) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 9999 }) },
);

const separator = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(' ', 'T') }, { weight: 1, arbitrary: fc.constantFrom('t', '_', '  ', '', 'TT') });
const fraction = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 6, arbitrary: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 12 }).map((digits) => `.${digits.join('')}`) },
  { weight: 1, arbitrary: fc.constantFrom('.', '.1a', '.١٢', '..1', ',123') },
);
const zone = fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 3, arbitrary: fc.constant('Z') }, { weight: 1, arbitrary: fc.constantFrom('ZZ', 'z', '+00:00', '\n', ' ') });

const timestamp: fc.Arbitrary<string> = fc
  .record({
    year: year.map((y) => pad(y, 4)),
    month: field(12, 2),
    day: fc.oneof({ weight: 4, arbitrary: field(28, 2) }, { weight: 2, arbitrary: fc.constantFrom('00', '29', '30', '31', '32') }),
    hour: field(23, 2),
    minute: field(59, 2),
    second: field(59, 2),
    separator,
    fraction,
    zone,
  })
  .map((t) => `${t.year}-${t.month}-${t.day}${t.separator}${t.hour}:${t.minute}:${t.second}${t.fraction}${t.zone}`);

/** A valid-looking timestamp with one character replaced, dropped or duplicated. */
const mutated = fc.tuple(timestamp, fc.nat(), fc.constantFrom('replace', 'drop', 'double'), fc.constantFrom('0', '9', '-', ':', ' ', 'x', '٣', '\u0000')).map(([text, at, how, c]) => {
  const i = at % Math.max(1, text.length);
  if (how === 'drop') return text.slice(0, i) + text.slice(i + 1);
  if (how === 'double') return text.slice(0, i) + text[i] + text.slice(i);
  return text.slice(0, i) + c + text.slice(i + 1);
});

const anyText = fc.oneof({ weight: 6, arbitrary: timestamp }, { weight: 3, arbitrary: mutated }, { weight: 1, arbitrary: fc.string({ maxLength: 32 }) });

describe('parseDeviceTime', () => {
  it('equals the pattern-based reference on valid and invalid texts: same instant, same error', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(anyText, (text) => {
        const expected = outcome(referenceParseDeviceTime, text);
        const actual = outcome(parseDeviceTime, text);
        // A plain comparison first: expect() on every one of the runs would dominate the test's time.
        if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected);
        if ('ms' in expected) accepted++;
        else refused++;
      }),
      { numRuns: 10_000 },
    );
    // Both outcomes were exercised many times, so the property cannot hold by one side alone.
    expect(accepted).toBeGreaterThan(1_500);
    expect(refused).toBeGreaterThan(2_000);
  });

  it('equals the reference on runs of repeated texts, and hands out a new Date each time', () => {
    fc.assert(
      fc.property(fc.array(anyText, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), (pool, picks) => {
        for (const pick of picks) {
          const text = pool[pick % pool.length]!;
          const actual = outcome(parseDeviceTime, text);
          expect(actual).toEqual(outcome(referenceParseDeviceTime, text));
          if ('ms' in actual) {
            const first = parseDeviceTime(text);
            first.setTime(0);
            expect(parseDeviceTime(text)).not.toBe(first);
            expect(parseDeviceTime(text).getTime()).toBe(actual.ms);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('equals the reference on every day of a leap year, a common year and the century years', () => {
    for (const y of [1900, 2000, 2023, 2024, 2100, 2400]) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 0; day <= 32; day++) {
          const text = `${y}-${pad(month, 2)}-${pad(day, 2)} 23:59:59.999`;
          expect(outcome(parseDeviceTime, text)).toEqual(outcome(referenceParseDeviceTime, text));
        }
      }
    }
  });

  it('keeps the first three fraction digits of any length, as the reference does', () => {
    for (let n = 1; n <= 10; n++) {
      const text = `2026-11-23 08:15:02.${'987654321X'.slice(0, n).replace('X', '0')}`;
      expect(outcome(parseDeviceTime, text)).toEqual(outcome(referenceParseDeviceTime, text));
    }
    expect(parseDeviceTime('2026-11-23 08:15:02.1').toISOString()).toBe('2026-11-23T08:15:02.100Z');
    expect(parseDeviceTime('2026-11-23T08:15:02.123456789Z').toISOString()).toBe('2026-11-23T08:15:02.123Z');
  });

  it('reads values that are not strings (from untyped callers) as the reference does', () => {
    const odd: unknown[] = [undefined, null, 20261123, {}, { toString: () => '2026-11-23 08:15:02' }, ['2026-11-23 08:15:02'], Symbol('t'), new Date(0)];
    for (const value of odd) expect(outcome(parseDeviceTime, value)).toEqual(outcome(referenceParseDeviceTime, value as string));
  });

  it('names the text and what is expected when it refuses one', () => {
    expect(() => parseDeviceTime('2026-02-30 00:00:00')).toThrow("unparseable device time '2026-02-30 00:00:00': no such date or time");
    expect(() => parseDeviceTime('yesterday')).toThrow("unparseable device time 'yesterday': expected 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC)");
  });
});
