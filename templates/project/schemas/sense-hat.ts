import { z } from 'zod';
import { lowCardinality } from 'sluice';

/**
 * A Raspberry Pi Sense HAT message as the devices publish it (what
 * `npx sluice produce --job readings --simulate sense-hat` puts on the stream).
 * Records that do not match go to the table's rejects, with the reason.
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

/** A row of `telemetry.readings`: the Parquet columns and the Glue table's columns come from here. */
export const ReadingRow = z.object({
  device_id: lowCardinality(z.string()),
  reading_seq: z.number().int().nonnegative(),
  event_time: z.date(),
  temperature_c: z.number(),
  temperature_f: z.number(),
  humidity: z.number().nullable(),
  pressure: z.number(),
  arrival_time: z.date(),
});
export type ReadingRow = z.output<typeof ReadingRow>;
