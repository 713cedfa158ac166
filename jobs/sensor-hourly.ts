import { aggregateTable, defineJob, kinesisStream, parseDeviceTime, tumbling } from 'sluice';
import { SenseHatMessage, SensorReading } from '../schemas/sense-hat.ts';

/**
 * Sense HAT messages -> iot.sensor_hourly: per device and 5-minute window, the number of
 * readings and min/max/avg temperature and humidity. Reads the same stream as
 * sensor-readings, with its own checkpoints.
 */
export default defineJob({
  name: 'sensor-hourly',
  source: kinesisStream({ stream: 'iot-sensor', records: SenseHatMessage }),
  steps: (s) =>
    s
      .map(
        (m) => ({
          device_id: m.client_id,
          event_time: parseDeviceTime(m.timestamp),
          temperature: m.temperature,
          humidity: m.humidity,
        }),
        { name: 'to-reading' },
      )
      // Readings below -60 C come from a disconnected probe, not from the room.
      .filter((r) => r.temperature > -60, { name: 'drop-disconnected-probe' }),
  output: aggregateTable({
    database: 'iot',
    name: 'sensor_hourly',
    rows: SensorReading,
    window: tumbling('5 minutes', { on: 'event_time' }),
    groupBy: ['device_id'],
    measures: (m) => ({
      readings: m.count(),
      min_temperature: m.min('temperature'),
      max_temperature: m.max('temperature'),
      avg_temperature: m.avg('temperature'),
      min_humidity: m.min('humidity'),
      max_humidity: m.max('humidity'),
      avg_humidity: m.avg('humidity'),
    }),
  }),
  batch: { size: 1000, windowSeconds: 1 },
});
