import { describe, expect, it } from 'vitest';
import {
  formatBitsPerSecond,
  formatChange,
  formatCount,
  formatPercent,
  formatPValue,
} from '../../src/util/format.js';

describe('number formatting for reports', () => {
  it('groups counts', () => {
    expect(formatCount(2000)).toBe('2,000');
    expect(formatCount(7)).toBe('7');
  });

  it('gives small rates the decimals they need', () => {
    expect(formatPercent(0.31)).toBe('31.0%');
    expect(formatPercent(0.0452)).toBe('4.5%');
    expect(formatPercent(0.0014967)).toBe('0.15%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.00001)).toBe('<0.01%');
  });

  it('signs changes with a typographic minus', () => {
    expect(formatChange(-0.1234)).toBe('−12.3%');
    expect(formatChange(0.05)).toBe('+5.0%');
    expect(formatChange(0)).toBe('0.0%');
  });

  it('formats p-values and bit rates', () => {
    expect(formatPValue(0.0281)).toBe('0.028');
    expect(formatPValue(0.00021)).toBe('0.0002');
    expect(formatPValue(2e-7)).toBe('<0.0001');
    expect(formatPValue(1)).toBe('1');
    expect(formatBitsPerSecond(9.41e9)).toBe('9.41 Gbit/s');
    expect(formatBitsPerSecond(850e3)).toBe('850 kbit/s');
  });
});
