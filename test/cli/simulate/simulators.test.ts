import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.ts';
import { activityMessages, activityPartitionKey, ActivityType, partitionKey as activityKey } from '../../../src/cli/simulate/activity.ts';
import { formatDeviceMicros, formatDeviceSeconds } from '../../../src/cli/simulate/device-clock-format.ts';
import { SeededRandom } from '../../../src/cli/simulate/seeded-random.ts';
import { partitionKey as senseHatKey, senseHatMessages, senseHatPartitionKey } from '../../../src/cli/simulate/sense-hat.ts';

const start = new Date('2026-11-20T06:00:00Z');
const fleet = { devices: 7, records: 2_000, hours: 3, start, seed: 42 };
const SECONDS = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const MICROS = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const utc = (deviceTime: string) => Date.parse(`${deviceTime.replace(' ', 'T')}Z`);

describe('SeededRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const take = (seed: number) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(take(1)).toEqual(take(1));
    expect(take(1)).not.toEqual(take(2));
    expect(take(1).every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('device clock format', () => {
  it('prints UTC without a zone, with six fractional digits when asked', () => {
    const micros = Date.parse('2026-11-20T06:07:08.123Z') * 1000 + 456;
    expect(formatDeviceSeconds(micros)).toBe('2026-11-20 06:07:08');
    expect(formatDeviceMicros(micros)).toBe('2026-11-20 06:07:08.123456');
  });
});

describe('senseHatMessages', () => {
  const messages = [...senseHatMessages(fleet)];

  it('is deterministic for a seed', () => {
    expect([...senseHatMessages(fleet)]).toEqual(messages);
    expect([...senseHatMessages({ ...fleet, seed: 43 })]).not.toEqual(messages);
  });

  it('numbers each device from 1 so (client_id, count) is unique', () => {
    expect(messages).toHaveLength(2_000);
    expect(new Set(messages.map((m) => `${m.client_id}#${m.count}`)).size).toBe(2_000);
    const devices = new Set(messages.map((m) => m.client_id));
    expect([...devices].sort()).toEqual(Array.from({ length: 7 }, (_, i) => `rpi-sensehat-00${i + 1}`));
    for (const device of devices) {
      const counts = messages.filter((m) => m.client_id === device).map((m) => m.count);
      expect(counts).toEqual(Array.from({ length: counts.length }, (_, i) => i + 1));
    }
  });

  it('spreads event times over the hours from start, in order per device', () => {
    const times = messages.map((m) => utc(m.timestamp));
    expect(Math.min(...times)).toBe(start.getTime());
    expect(Math.max(...times)).toBeGreaterThan(start.getTime() + 2.99 * 3_600_000);
    expect(Math.max(...times)).toBeLessThan(start.getTime() + 3 * 3_600_000);
    for (const device of new Set(messages.map((m) => m.client_id))) {
      const own = messages.filter((m) => m.client_id === device).map((m) => utc(m.timestamp));
      expect(own).toEqual([...own].sort((a, b) => a - b));
    }
  });

  it('has the Sense HAT shape and plausible ranges', () => {
    for (const m of messages) {
      expect(Object.keys(m).sort()).toEqual(['client_id', 'count', 'humidity', 'pitch', 'pressure', 'roll', 'temperature', 'timestamp', 'yaw']);
      expect(m.timestamp).toMatch(SECONDS);
      expect(m.temperature).toBeGreaterThanOrEqual(15);
      expect(m.temperature).toBeLessThanOrEqual(35);
      expect(m.humidity).toBeGreaterThanOrEqual(20);
      expect(m.humidity).toBeLessThanOrEqual(80);
      expect(m.pressure).toBeGreaterThanOrEqual(1000);
      expect(m.pressure).toBeLessThanOrEqual(1030);
      for (const angle of [m.pitch, m.roll, m.yaw]) expect(angle >= 0 && angle < 360).toBe(true);
    }
    // Temperatures drift and cycle: not one constant per device.
    expect(new Set(messages.filter((m) => m.client_id === 'rpi-sensehat-001').map((m) => m.temperature)).size).toBeGreaterThan(20);
  });

  it('partitions by device', () => {
    const [first] = messages;
    expect(senseHatPartitionKey(first!)).toBe(first!.client_id);
    expect(senseHatKey).toBe(senseHatPartitionKey);
  });

  it('refuses options that make no fleet', () => {
    expect(() => [...senseHatMessages({ ...fleet, devices: 0 })]).toThrow(UsageError);
    expect(() => [...senseHatMessages({ ...fleet, hours: 0 })]).toThrow(UsageError);
  });
});

describe('activityMessages', () => {
  const messages = [...activityMessages(fleet)];

  it('is deterministic for a seed', () => {
    expect([...activityMessages(fleet)]).toEqual(messages);
    expect([...activityMessages({ ...fleet, seed: 43 })]).not.toEqual(messages);
  });

  it('has generator-style fields: v4-looking unique uuids, microsecond UTC times, integer ids, known activities', () => {
    expect(messages).toHaveLength(2_000);
    expect(new Set(messages.map((m) => m.uuid)).size).toBe(2_000);
    const activities = new Set<string>(Object.values(ActivityType));
    for (const m of messages) {
      expect(Object.keys(m).sort()).toEqual(['activity_type', 'device_id', 'device_temp', 'device_ts', 'track_id', 'uuid']);
      expect(m.uuid).toMatch(UUID_V4);
      expect(m.device_ts).toMatch(MICROS);
      expect(Number.isInteger(m.device_id)).toBe(true);
      expect(Number.isInteger(m.track_id)).toBe(true);
      expect(typeof m.device_temp).toBe('number');
      expect(activities.has(m.activity_type)).toBe(true);
    }
    expect(new Set(messages.map((m) => m.device_id)).size).toBe(7);
    expect(new Set(messages.map((m) => m.activity_type)).size).toBeGreaterThan(2);
  });

  it('spreads event times over the hours, in order per device, with a new track when the activity changes', () => {
    const times = messages.map((m) => utc(m.device_ts));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(start.getTime());
    expect(Math.min(...times)).toBeLessThan(start.getTime() + 60_000);
    expect(Math.max(...times)).toBeGreaterThan(start.getTime() + 2.99 * 3_600_000);
    expect(Math.max(...times)).toBeLessThan(start.getTime() + 3 * 3_600_000);
    for (const device of new Set(messages.map((m) => m.device_id))) {
      const own = messages.filter((m) => m.device_id === device);
      const micros = own.map((m) => m.device_ts);
      expect(micros).toEqual([...micros].sort());
      own.slice(1).forEach((m, i) => {
        const previous = own[i]!;
        expect(m.track_id).toBe(previous.track_id + (m.activity_type === previous.activity_type ? 0 : 1));
      });
    }
  });

  it('partitions by device id', () => {
    const [first] = messages;
    expect(activityPartitionKey(first!)).toBe(String(first!.device_id));
    expect(activityKey).toBe(activityPartitionKey);
  });
});
