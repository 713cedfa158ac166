import { describe, expect, it } from 'vitest';
import { SensorRow } from '../../schemas/sense-hat.ts';
import { rowValidator } from '../../src/pipeline/row-validator.ts';
import { exactText } from '../helpers/exact-text.ts';

const row = {
  device_id: 'rpi-sensehat-001',
  reading_seq: 1,
  event_time: new Date('2026-11-23T08:15:02Z'),
  temperature_c: 21.25,
  temperature_f: 70.25,
  humidity: null,
  pressure: 1012.5,
  orientation: { pitch: 1.5, roll: 2.5, yaw: 359.5, spin: 1 },
  arrival_time: new Date('2026-11-23T08:15:03Z'),
  extra: 'stripped',
};

describe('rowValidator', () => {
  it('is made once per schema and gives what the row schema gives, valid or not', () => {
    const validator = rowValidator(SensorRow);
    expect(rowValidator(SensorRow)).toBe(validator);
    expect(validator).not.toBe(SensorRow);
    const rows = [
      row,
      { ...row, reading_seq: 1.5 },
      { ...row, event_time: new Date(Number.NaN) },
      { ...row, humidity: undefined, orientation: { pitch: 'up' } },
      { ...row, device_id: 7, arrival_time: '2026-11-23' },
      null,
    ];
    for (const candidate of rows) {
      expect(exactText(validator.safeParse(candidate).data)).toBe(exactText(SensorRow.safeParse(candidate).data));
      expect(validator.safeParse(candidate).error?.issues).toEqual(SensorRow.safeParse(candidate).error?.issues);
    }
    expect(validator.safeParse(row).success).toBe(true);
    expect(validator.safeParse(rows[1]).success).toBe(false);
  });
});
