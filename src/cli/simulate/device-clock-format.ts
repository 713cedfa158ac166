/**
 * Formats an instant the way device clocks in the simulated fleets print it: UTC, no zone,
 * a space between date and time.
 *
 * @example
 * ```ts
 * formatDeviceSeconds(1_795_672_800_123_456); // '2026-11-20 06:00:00'
 * ```
 */
export function formatDeviceSeconds(epochMicros: number): string {
  return new Date(Math.floor(epochMicros / 1000)).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Like {@link formatDeviceSeconds} with six fractional digits.
 *
 * @example
 * ```ts
 * formatDeviceMicros(1_795_672_800_123_456); // '2026-11-20 06:00:00.123456'
 * ```
 */
export function formatDeviceMicros(epochMicros: number): string {
  const micros = ((epochMicros % 1_000_000) + 1_000_000) % 1_000_000;
  return `${formatDeviceSeconds(epochMicros)}.${String(micros).padStart(6, '0')}`;
}
