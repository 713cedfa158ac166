import { describe, expect, it } from 'vitest';
import { escapeBytes } from '../../../src/cli/dashboard/raw-bytes.ts';

const shown = (bytes: number[] | string, maxBytes = 4096) =>
  escapeBytes(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : new Uint8Array(bytes), { maxBytes }).text;

describe('escapeBytes', () => {
  it('keeps readable UTF-8, markup included, as it is', () => {
    expect(shown('<script>alert("x")</script> 温度 🙂')).toBe('<script>alert("x")</script> 温度 🙂');
  });

  it('escapes bytes that are not UTF-8, one by one, and keeps the valid text around them', () => {
    expect(shown([0x61, 0xff, 0x62, 0xc3, 0x28, 0xed, 0xa0, 0x80])).toBe('a\\xffb\\xc3(\\xed\\xa0\\x80');
  });

  it('escapes what would hide or reorder text: controls, bidi overrides, zero-width characters', () => {
    expect(shown('a\nb\u0000c\u202Ed\u200Be')).toBe('a\\u{a}b\\u{0}c\\u{202e}d\\u{200b}e');
  });

  it('doubles backslashes, so an escape in the data cannot pass for one of ours', () => {
    expect(shown('\\xff')).toBe('\\\\xff');
  });

  it('cuts long records, saying so, without splitting a character into valid text', () => {
    const result = escapeBytes(new TextEncoder().encode('ab温'), { maxBytes: 3 });
    expect(result).toEqual({ text: 'ab\\xe6', bytes: 5, truncated: true });
  });
});
