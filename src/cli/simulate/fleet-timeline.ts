import { UsageError } from '../../errors.ts';

/**
 * The shape every simulated fleet shares: how many devices send how many records over how
 * many hours from `start`, from which seed.
 *
 * @example
 * ```ts
 * const options: FleetOptions = { devices: 8, records: 10_000, hours: 3, start: new Date('2026-11-20T06:00:00Z'), seed: 7 };
 * ```
 */
export interface FleetOptions {
  readonly devices: number;
  /** Records of the whole fleet. */
  readonly records: number;
  readonly hours: number;
  /** Event time of the first record. */
  readonly start: Date;
  readonly seed: number;
}

/**
 * One slot of the timeline: which device sends its `count`-th record at `epochMicros`.
 *
 * @example
 * ```ts
 * const slot: FleetSlot = { device: 0, count: 1, epochMicros: 1_795_672_800_000_000 };
 * ```
 */
export interface FleetSlot {
  /** 0-based device index. */
  readonly device: number;
  /** 1-based, per device. */
  readonly count: number;
  /** Event time in microseconds since the epoch. */
  readonly epochMicros: number;
}

/**
 * Spreads `records` evenly over `hours` from `start`, handing slots to devices in turn, so
 * every device's records are in time order and its counts run 1, 2, 3... Microseconds fit
 * a double exactly for any date this century.
 *
 * @example
 * ```ts
 * for (const { device, count, epochMicros } of fleetTimeline(options)) { ... }
 * ```
 */
export function* fleetTimeline(options: FleetOptions): Generator<FleetSlot> {
  validateFleet(options);
  const startMicros = options.start.getTime() * 1000;
  const spanMicros = options.hours * 3_600_000_000;
  for (let index = 0; index < options.records; index++) {
    yield {
      device: index % options.devices,
      count: Math.floor(index / options.devices) + 1,
      epochMicros: startMicros + Math.floor((index * spanMicros) / options.records),
    };
  }
}

/**
 * Microseconds between two consecutive slots of the fleet, at least 1.
 *
 * @example
 * ```ts
 * const jitter = random.integer(0, Math.floor(slotSpacingMicros(options) / 2));
 * ```
 */
export function slotSpacingMicros(options: FleetOptions): number {
  return Math.max(1, Math.floor((options.hours * 3_600_000_000) / Math.max(1, options.records)));
}

function validateFleet(options: FleetOptions): void {
  if (!Number.isInteger(options.devices) || options.devices < 1) throw new UsageError(`devices must be a whole number >= 1, not ${options.devices}`);
  if (!Number.isInteger(options.records) || options.records < 0) throw new UsageError(`records must be a whole number >= 0, not ${options.records}`);
  if (!(options.hours > 0) || !Number.isFinite(options.hours)) throw new UsageError(`hours must be a number > 0, not ${options.hours}`);
  if (Number.isNaN(options.start.getTime())) throw new UsageError('start must be a valid date');
  if (!Number.isInteger(options.seed)) throw new UsageError(`seed must be a whole number, not ${options.seed}`);
}
