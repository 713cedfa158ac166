import { z } from 'zod';
import { lowCardinality } from 'sluice';

/** A message from an activity-tracking device generator. */
export const ActivityMessage = z.object({
  uuid: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'expected a UUID'),
  device_ts: z.string(),
  device_id: z.number().int(),
  device_temp: z.number(),
  track_id: z.number().int(),
  activity_type: z.string().min(1),
});
export type ActivityMessage = z.output<typeof ActivityMessage>;

/** A row of `iot.device_activity`; `activity_type` is a partition key. */
export const ActivityRow = z.object({
  event_id: z.string(),
  device_id: z.number().int(),
  event_time: z.date(),
  device_temp: z.number(),
  track_id: z.number().int(),
  activity_type: lowCardinality(z.string()),
});
export type ActivityRow = z.output<typeof ActivityRow>;
