import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { duration } from '../../src/cli/option-parsers.ts';

describe('duration options (--horizon, --grace)', () => {
  it('reads durations with a unit', () => {
    expect(duration('90s')).toBe(90_000);
    expect(duration('7h')).toBe(7 * 3_600_000);
    expect(duration('2d')).toBe(2 * 86_400_000);
    expect(duration('250ms')).toBe(250);
  });

  it('refuses a bare number, naming the accepted forms, instead of reading it as milliseconds', () => {
    for (const bare of ['5', ' 5 ', '1.5']) {
      expect(() => duration(bare)).toThrow(InvalidArgumentError);
      expect(() => duration(bare)).toThrow(/has no unit: give a duration such as 90s, 15m, 7h or 2d/);
    }
    expect(() => duration('soon')).toThrow(/expected a duration such as 90s/);
  });
});
