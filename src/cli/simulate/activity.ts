import { formatDeviceMicros } from './device-clock-format.ts';
import { fleetTimeline, slotSpacingMicros, type FleetOptions } from './fleet-timeline.ts';
import { SeededRandom } from './seeded-random.ts';

/**
 * What an activity tracker can report doing.
 *
 * @example
 * ```ts
 * if (message.activity_type === ActivityType.Running) { ... }
 * ```
 */
export const ActivityType = {
  Walking: 'walking',
  Running: 'running',
  Cycling: 'cycling',
  Resting: 'resting',
  Driving: 'driving',
} as const;
export type ActivityType = (typeof ActivityType)[keyof typeof ActivityType];

/**
 * A message from an activity-tracking device generator.
 *
 * @example
 * ```ts
 * const message: ActivityMessage = {
 *   uuid: '3f1c2a4e-9b7d-4c21-8e5f-0a6b7c8d9e0f', device_ts: '2026-11-20 06:00:00.118204',
 *   device_id: 1003, device_temp: 33.4, track_id: 2, activity_type: 'running',
 * };
 * ```
 */
export interface ActivityMessage {
  /** UUID v4 shape, deterministic for the seed. */
  readonly uuid: string;
  /** `YYYY-MM-DD HH:MM:SS.ffffff`, UTC. */
  readonly device_ts: string;
  readonly device_id: number;
  /** Degrees Celsius, one decimal. */
  readonly device_temp: number;
  /** A session of one activity; increases per device each time the activity changes. */
  readonly track_id: number;
  readonly activity_type: ActivityType;
}

/**
 * Options for {@link activityMessages}.
 *
 * @example
 * ```ts
 * const options: ActivityOptions = { devices: 20, records: 5_000, hours: 2, start: new Date('2026-11-20T06:00:00Z'), seed: 3 };
 * ```
 */
export type ActivityOptions = FleetOptions;

const ACTIVITIES = Object.values(ActivityType);
/** Body heat a tracker picks up on top of its resting temperature. */
const EXERTION: Record<ActivityType, number> = { walking: 1, running: 3, cycling: 2.5, resting: 0, driving: 0.5 };
const FIRST_DEVICE_ID = 1001;
/** Chance per record that a device switches activity and starts a new track. */
const SWITCH_CHANCE = 0.05;

interface TrackerState {
  readonly deviceId: number;
  readonly restingTemperature: number;
  activity: ActivityType;
  trackId: number;
}

/**
 * An activity-tracker fleet, deterministic for a seed: each device keeps an activity for a
 * while (a track), then switches to another and starts a new track; its temperature follows
 * the exertion of the activity. Records come in event-time order, spread evenly over `hours`,
 * with sub-second jitter that never reorders a device's records.
 *
 * @example
 * ```ts
 * const messages = [...activityMessages({ devices: 20, records: 5_000, hours: 2, start, seed: 3 })];
 * ```
 */
export function* activityMessages(options: ActivityOptions): Generator<ActivityMessage> {
  const random = new SeededRandom(options.seed);
  const trackers: TrackerState[] = Array.from({ length: Math.max(0, Math.floor(options.devices)) }, (_, index) => ({
    deviceId: FIRST_DEVICE_ID + index,
    restingTemperature: random.between(30, 34),
    activity: random.pick(ACTIVITIES),
    trackId: 1,
  }));
  const maxJitter = Math.floor(slotSpacingMicros(options) / 2);
  for (const slot of fleetTimeline(options)) {
    const tracker = trackers[slot.device] as TrackerState;
    if (slot.count > 1 && random.next() < SWITCH_CHANCE) {
      tracker.activity = random.pick(ACTIVITIES.filter((activity) => activity !== tracker.activity));
      tracker.trackId += 1;
    }
    const temperature = tracker.restingTemperature + EXERTION[tracker.activity] + random.between(-0.4, 0.4);
    yield {
      uuid: uuidV4(random),
      device_ts: formatDeviceMicros(slot.epochMicros + random.integer(0, maxJitter)),
      device_id: tracker.deviceId,
      device_temp: Math.round(temperature * 10) / 10,
      track_id: tracker.trackId,
      activity_type: tracker.activity,
    };
  }
}

/**
 * The partition key of an activity message: its device, so one device's messages stay in
 * order on one shard.
 *
 * @example
 * ```ts
 * activityPartitionKey(message); // '1003'
 * ```
 */
export function activityPartitionKey(message: Pick<ActivityMessage, 'device_id'>): string {
  return String(message.device_id);
}

export { activityPartitionKey as partitionKey };

/** Random bytes with the version (4) and variant (10xx) bits a v4 UUID carries. */
function uuidV4(random: SeededRandom): string {
  const bytes = Array.from({ length: 16 }, () => random.integer(0, 255));
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
