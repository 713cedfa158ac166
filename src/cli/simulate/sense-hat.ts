import { formatDeviceSeconds } from './device-clock-format.ts';
import { fleetTimeline, type FleetOptions } from './fleet-timeline.ts';
import { SeededRandom } from './seeded-random.ts';

/**
 * A reading as a Raspberry Pi with a Sense HAT publishes it.
 *
 * @example
 * ```ts
 * const message: SenseHatMessage = {
 *   client_id: 'rpi-sensehat-007', timestamp: '2026-11-20 06:00:00', humidity: 41.37,
 *   temperature: 24.12, pressure: 1013.4, pitch: 2.31, roll: 358.9, yaw: 121.05, count: 1,
 * };
 * ```
 */
export interface SenseHatMessage {
  readonly client_id: string;
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  readonly timestamp: string;
  /** Percent relative humidity. */
  readonly humidity: number;
  /** Degrees Celsius. */
  readonly temperature: number;
  /** Hectopascals. */
  readonly pressure: number;
  /** Degrees, 0 to 360. */
  readonly pitch: number;
  readonly roll: number;
  readonly yaw: number;
  /** 1, 2, 3... per device: (client_id, count) identifies a reading. */
  readonly count: number;
}

/**
 * Options for {@link senseHatMessages}.
 *
 * @example
 * ```ts
 * const options: SenseHatOptions = { devices: 8, records: 10_000, hours: 3, start: new Date('2026-11-20T06:00:00Z'), seed: 7 };
 * ```
 */
export type SenseHatOptions = FleetOptions;

interface DeviceState {
  readonly clientId: string;
  readonly baseTemperature: number;
  readonly dailySwing: number;
  readonly phase: number;
  readonly baseHumidity: number;
  drift: number;
  pressure: number;
  readonly orientation: { readonly pitch: number; readonly roll: number; readonly yaw: number };
}

const DAY_MICROS = 86_400_000_000;

/**
 * A Sense HAT fleet, deterministic for a seed: temperatures 15-35 °C following a daily cycle
 * with a slow per-device drift, humidity 20-80 % moving against temperature, pressure
 * 1000-1030 hPa wandering slowly, and each board's orientation jittering around how it is
 * mounted. Records come in event-time order, spread evenly over `hours`.
 *
 * @example
 * ```ts
 * for (const message of senseHatMessages({ devices: 8, records: 1_000, hours: 3, start, seed: 7 })) {
 *   records.push({ data: utf8.encode(JSON.stringify(message)), partitionKey: senseHatPartitionKey(message) });
 * }
 * ```
 */
export function* senseHatMessages(options: SenseHatOptions): Generator<SenseHatMessage> {
  const random = new SeededRandom(options.seed);
  const devices: DeviceState[] = Array.from({ length: Math.max(0, Math.floor(options.devices)) }, (_, index) => ({
    clientId: `rpi-sensehat-${String(index + 1).padStart(3, '0')}`,
    baseTemperature: random.between(19, 29),
    dailySwing: random.between(1, 4),
    phase: random.between(0, 2 * Math.PI),
    baseHumidity: random.between(35, 65),
    drift: 0,
    pressure: random.between(1005, 1025),
    orientation: { pitch: random.between(0, 360), roll: random.between(0, 360), yaw: random.between(0, 360) },
  }));
  for (const slot of fleetTimeline(options)) {
    const device = devices[slot.device] as DeviceState;
    device.drift = clamp(device.drift + random.between(-0.05, 0.05), -3, 3);
    device.pressure = clamp(device.pressure + random.between(-0.08, 0.08), 1000, 1030);
    const cycle = Math.sin((2 * Math.PI * (slot.epochMicros % DAY_MICROS)) / DAY_MICROS + device.phase);
    const temperature = clamp(device.baseTemperature + device.dailySwing * cycle + device.drift + random.between(-0.3, 0.3), 15, 35);
    const humidity = clamp(device.baseHumidity - 1.5 * (temperature - device.baseTemperature) + random.between(-1, 1), 20, 80);
    yield {
      client_id: device.clientId,
      timestamp: formatDeviceSeconds(slot.epochMicros),
      humidity: round2(humidity),
      temperature: round2(temperature),
      pressure: round2(device.pressure),
      pitch: jitterAngle(device.orientation.pitch, random),
      roll: jitterAngle(device.orientation.roll, random),
      yaw: jitterAngle(device.orientation.yaw, random),
      count: slot.count,
    };
  }
}

/**
 * The partition key of a Sense HAT message: its device, so one device's readings stay in
 * order on one shard.
 *
 * @example
 * ```ts
 * senseHatPartitionKey(message); // 'rpi-sensehat-007'
 * ```
 */
export function senseHatPartitionKey(message: Pick<SenseHatMessage, 'client_id'>): string {
  return message.client_id;
}

export { senseHatPartitionKey as partitionKey };

function jitterAngle(base: number, random: SeededRandom): number {
  const angle = round2((((base + random.between(-1.5, 1.5)) % 360) + 360) % 360);
  // Rounding 359.996 gives 360.00: keep angles in [0, 360).
  return angle >= 360 ? 0 : angle;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
