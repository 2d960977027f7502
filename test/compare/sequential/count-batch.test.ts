import { describe, expect, it } from 'vitest';
import { countBatch } from '../../../src/compare/sequential/count-batch.js';
import { records } from '../../support/record-fixtures.js';

describe('countBatch', () => {
  it('counts a batch without its harness errors', () => {
    expect(countBatch(records)).toEqual({ n: 4, failures: 2 });
  });

  it('counts an iteration whose reports are all of noisy families as clean', () => {
    expect(countBatch(records, ['tsan: data race', 'tsan: thread leak'])).toEqual({ n: 4, failures: 1 });
  });
});
