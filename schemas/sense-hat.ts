import { z } from 'zod';
import { lowCardinality } from 'sluice';

/**
 * A Raspberry Pi Sense HAT message as the fleet's MQTT client publishes it.
 * `count` increments per device, so (client_id, count) identifies a reading.
 */
export const SenseHatMessage = z.object({
  client_id: z.string().min(1),
  timestamp: z.string(),
  humidity: z.number().nullable(),
  temperature: z.number(),
  pressure: z.number(),
  pitch: z.number(),
  roll: z.number(),
  yaw: z.number(),
  count: z.number().int().nonnegative(),
});
export type SenseHatMessage = z.output<typeof SenseHatMessage>;

/** A row of `iot.sensor_readings`. */
export const SensorRow = z.object({
  device_id: lowCardinality(z.string()),
  reading_seq: z.number().int().nonnegative(),
  event_time: z.date(),
  temperature_c: z.number(),
  temperature_f: z.number(),
  humidity: z.number().nullable(),
  pressure: z.number(),
  orientation: z.object({ pitch: z.number(), roll: z.number(), yaw: z.number() }),
  arrival_time: z.date(),
});
export type SensorRow = z.output<typeof SensorRow>;

/** A reading as `sensor-hourly` aggregates it: one per Sense HAT message. */
export const SensorReading = z.object({
  device_id: lowCardinality(z.string()),
  event_time: z.date(),
  temperature: z.number(),
  humidity: z.number().nullable(),
});
export type SensorReading = z.output<typeof SensorReading>;
