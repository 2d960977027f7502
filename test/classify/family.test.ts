import { describe, expect, it } from 'vitest';
import { familyOf, isNoiseOnly } from '../../src/classify/family.js';
import { clean, crash, race } from '../support/record-fixtures.js';

describe('outcome families', () => {
  it('names signature families: tool and report kind, the signal, the exit code', () => {
    expect(familyOf(race)).toBe('tsan: data race');
    expect(familyOf(crash)).toBe('SIGSEGV');
    expect(familyOf(clean(0))).toBeNull();
  });

  it('calls a sanitizer outcome noise only when all its reports are of noisy families', () => {
    const noisy = ['tsan: data race', 'tsan: thread leak'];
    expect(isNoiseOnly(race, noisy)).toBe(true);
    expect(isNoiseOnly(race, ['tsan: data race'])).toBe(false); // the thread leak is not noise
    expect(isNoiseOnly(crash, noisy)).toBe(false);
  });
});
