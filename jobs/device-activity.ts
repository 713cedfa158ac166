import { defineJob, hourOf, kinesisStream, parseDeviceTime, table } from 'sluice';
import { ActivityMessage, ActivityRow } from '../schemas/device-activity.ts';

/** Activity generator messages -> iot.device_activity, partitioned by event hour and activity. */
export default defineJob({
  name: 'device-activity',
  source: kinesisStream({ stream: 'iot-activity', records: ActivityMessage }),
  steps: (s) =>
    s.map(
      (m) => ({
        event_id: m.uuid,
        device_id: m.device_id,
        event_time: parseDeviceTime(m.device_ts),
        device_temp: m.device_temp,
        track_id: m.track_id,
        activity_type: m.activity_type,
      }),
      { name: 'to-row' },
    ),
  output: table({
    database: 'iot',
    name: 'device_activity',
    rows: ActivityRow,
    partitionBy: hourOf('event_time'),
    partitionKeys: ['activity_type'],
  }),
});
