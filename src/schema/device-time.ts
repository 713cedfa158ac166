/**
 * Device clocks send `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD HH:MM:SS.ffffff` without a zone;
 * fleets we target keep them in UTC.
 */
const DEVICE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/;

/**
 * Parses a device timestamp as UTC. Fractions finer than a millisecond are truncated
 * (tables store milliseconds). Throws on anything else, including impossible dates
 * (`2026-02-30`), so a step using it sends the record to rejects with the reason.
 *
 * @example
 * ```ts
 * parseDeviceTime('2026-11-23 08:15:02');        // 2026-11-23T08:15:02.000Z
 * parseDeviceTime('2026-11-23 08:15:02.123456'); // 2026-11-23T08:15:02.123Z
 * ```
 */
export function parseDeviceTime(text: string): Date {
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
