import { afterEach, describe, expect, it } from 'vitest';
import { isoInstantMs } from '../../src/schema/iso-instant.ts';
import { instant } from '../../src/cli/option-parsers.ts';

describe('isoInstantMs', () => {
  const zoneBefore = process.env['TZ'];
  afterEach(() => {
    if (zoneBefore === undefined) delete process.env['TZ'];
    else process.env['TZ'] = zoneBefore;
  });

  it.each(['America/New_York', 'Asia/Kolkata', 'UTC'])('reads a zone-less date-time as UTC in %s', (tz) => {
    process.env['TZ'] = tz;
    const at = Date.UTC(2026, 10, 23, 23, 30);
    expect(isoInstantMs('2026-11-23T23:30:00')).toBe(at);
    expect(isoInstantMs('2026-11-23T23:30')).toBe(at);
    expect(isoInstantMs('2026-11-23T23:30:00.125')).toBe(at + 125);
    expect(isoInstantMs('2026-11-23T23:30:00.125999')).toBe(at + 125);
    expect(isoInstantMs('2026-11-23 23:30:00')).toBe(at);
    expect(isoInstantMs('2026-11-23t23:30:00')).toBe(at);
    // The command line's --start reads times the same way.
    expect(instant('2026-11-23T23:30:00').getTime()).toBe(at);
  });

  it('keeps a zone the text names, and a date alone is UTC midnight', () => {
    process.env['TZ'] = 'America/New_York';
    expect(isoInstantMs('2026-11-23T23:30:00Z')).toBe(Date.UTC(2026, 10, 23, 23, 30));
    expect(isoInstantMs('2026-11-23T23:30:00z')).toBe(Date.UTC(2026, 10, 23, 23, 30));
    expect(isoInstantMs('2026-11-23T23:30:00+01:00')).toBe(Date.UTC(2026, 10, 23, 22, 30));
    expect(isoInstantMs('2026-11-23T23:30:00-05:00')).toBe(Date.UTC(2026, 10, 24, 4, 30));
    expect(isoInstantMs('2026-11-23')).toBe(Date.UTC(2026, 10, 23));
  });

  it('is NaN for what names no instant', () => {
    for (const text of ['', 'not a time', '2026-13-01T00:00:00', '2026-11-23T25:00:00', '2026-11-23Tnoon']) expect(isoInstantMs(text)).toBeNaN();
  });
});
