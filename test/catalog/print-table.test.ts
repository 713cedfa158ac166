import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/cli/print-table.ts';

describe('renderTable', () => {
  const output = renderTable({
    columns: ['device_id', 'n', 'tags'],
    rows: [
      { device_id: 'd-1', n: 7, tags: ['a', 'b'] },
      { device_id: null, n: 42, tags: { k: 1 } },
    ],
  });
  const lines = output.split('\n');

  it('prints headers, values plainly and NULL for null, then the row count', () => {
    expect(lines.some((l) => /device_id.*n.*tags/.test(l))).toBe(true);
    expect(output).toContain('NULL');
    expect(output).toContain('["a","b"]');
    expect(output).toContain('{"k":1}');
    expect(output).not.toContain('\u001b[');
    expect(lines.at(-1)).toBe('(2 rows)');
  });

  it('right-aligns numbers', () => {
    const row = lines.find((l) => l.includes('d-1'));
    expect(row).toMatch(/│\s{2,}7 │/);
  });

  it('says (1 row) and prints just the count for a statement without columns', () => {
    expect(renderTable({ columns: ['x'], rows: [{ x: 'y' }] }).split('\n').at(-1)).toBe('(1 row)');
    expect(renderTable({ columns: [], rows: [] })).toBe('(0 rows)');
  });
});
