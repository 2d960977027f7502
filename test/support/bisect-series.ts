import { join } from 'node:path';
import { execa } from 'execa';
import { bundledPatchesDir, installRoot } from '../../src/util/paths.js';
import { testCacheDir } from './subject.js';

/**
 * The bisection tests' series (test/pipeline/bisect*.test.ts): one-comment patches from
 * test/fixtures/bisect-series/ around patches/unblocked-worker-signals.patch, and `sigstorm bisect`
 * as a user runs it on one cell (client-stream-sigterm, plain), whose crashes every iteration of the
 * bug shows: each step decides in a few iterations.
 */
export const cli = join(installRoot, 'bin', 'sigstorm.js');

/** A harmless patch of the fixture series: `01-units`, `02-json`, … `06-options`. */
export const fixturePatch = (name: string) =>
  join(installRoot, 'test', 'fixtures', 'bisect-series', `${name}-comment.patch`);

export const culpritPatch = join(bundledPatchesDir, 'unblocked-worker-signals.patch');

/**
 * At a 30% tolerance a step is called good on its first look (22 clean iterations per side) instead of
 * the hundreds the default 0.5% needs: what the tests test is the search, not the tolerance.
 */
export const runBisect = (args: readonly string[]) =>
  execa(
    'node',
    [
      cli,
      'bisect',
      ...args,
      '--workloads',
      'client-stream-sigterm',
      '--variants',
      'plain',
      '--tolerance',
      '0.3',
    ],
    { env: { SIGSTORM_CACHE_DIR: testCacheDir }, reject: false, timeout: 600_000 },
  );
