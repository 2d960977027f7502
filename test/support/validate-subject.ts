import { join } from 'node:path';
import type { ThresholdsInput } from '../../src/config/thresholds.schema.js';
import type { ValidateRequest } from '../../src/pipeline/request/contract.js';
import { runValidation } from '../../src/pipeline/validate.js';
import { bundledPatchesDir, installRoot } from '../../src/util/paths.js';
import { testCacheDir } from './subject.js';

/** What the validate tests on the bundled subject share (test/pipeline/validate*.test.ts). */
export const patch = (name: string) => join(bundledPatchesDir, name);
export const shortThroughput = join(installRoot, 'test', 'fixtures', 'workloads', 'throughput-short.yaml');
/**
 * Looser neutral bounds than the defaults (0.5% fine, 10% per cell) and no stop before 10 iterations
 * per side (not 20), so that a neutral verdict rests on the first batch past 10: 12 clean iterations
 * per side (at most 22%), not ~600.
 */
export const looseTolerance: ThresholdsInput = {
  stability: {
    tolerance: { plain: 0.25, asan: 0.25, tsan: 0.25 },
    cellTolerance: 0.25,
    minIterationsPerSide: 10,
  },
};

/** A validation without throughput runs unless asked; builds land in the suite's shared cache. */
export function validate(request: ValidateRequest & { baseCache?: boolean }) {
  useTestCache();
  return runValidation({ throughputRuns: 0, ...request });
}

/** Builds land in the suite's shared cache (test/support/subject.ts) so each tree is built once. */
export function useTestCache() {
  process.env.SIGSTORM_CACHE_DIR = testCacheDir;
}
