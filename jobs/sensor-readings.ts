import { defineJob, hourOf, kinesisStream, parseDeviceTime, table } from 'sluice';
import { SenseHatMessage, SensorRow } from '../schemas/sense-hat.ts';

/** Sense HAT messages -> iot.sensor_readings, partitioned by the hour of the reading. */
export default defineJob({
  name: 'sensor-readings',
  source: kinesisStream({ stream: 'iot-sensor', records: SenseHatMessage }),
  steps: (s) =>
    s
      .map(
        (m, meta) => ({
          device_id: m.client_id,
          reading_seq: m.count,
          event_time: parseDeviceTime(m.timestamp),
          temperature_c: m.temperature,
          temperature_f: Math.round((m.temperature * 1.8 + 32) * 100) / 100,
          humidity: m.humidity,
          pressure: m.pressure,
          orientation: { pitch: m.pitch, roll: m.roll, yaw: m.yaw },
          arrival_time: meta.arrivalTime,
        }),
        { name: 'to-row' },
      )
      // Readings below -60 C come from a disconnected probe, not from the room.
      .filter((r) => r.temperature_c > -60, { name: 'drop-disconnected-probe' }),
  output: table({ database: 'iot', name: 'sensor_readings', rows: SensorRow, partitionBy: hourOf('event_time') }),
  batch: { size: 1000, windowSeconds: 1 },
});
