/**
 * Shared test helper: binaries of the bundled test subject (test/subject/), built through the real
 * builder (src/compile/) into a persistent test cache at `<repo>/.sigstorm/test-cache` (gitignored).
 * Each tree + variant is built once for the whole suite, and again only when the subject's sources,
 * the patches or the compiler change. Builds are serialised by the builder's lock, so test files
 * (and other processes) can ask for the same binary at the same time.
 *
 *   import { subjectBinary } from './subject.js';
 *   const iperf3 = await subjectBinary('asan');                                     // unpatched
 *   const broken = await subjectBinary('plain', ['unblocked-worker-signals.patch']); // patched
 *
 * Patches are names in patches/ or paths; they are applied in the order given (so
 * `['unblocked-worker-signals.patch', 'sigwait-thread.patch']` for the sigwait fix).
 * A build that fails throws the builder's error: the test fails, it never skips.
 * Call from `beforeAll` (hookTimeout is generous); a cold build of one variant takes ~5-20 s.
 */
import { isAbsolute, join } from 'node:path';
import { type BuildResult, build } from '../../src/compile/build-tree.js';
import { planBuild, preparedSource } from '../../src/compile/prepare-tree.js';
import type { VariantName } from '../../src/compile/variants.js';
import { materialise } from '../../src/source/materialise.js';
import { bundledPatchesDir, installRoot } from '../../src/util/paths.js';

/** The persistent cache all tests share. Also what CLI tests should pass as SIGSTORM_CACHE_DIR. */
export const testCacheDir = join(installRoot, '.sigstorm', 'test-cache');

const builds = new Map<string, Promise<BuildResult>>();

/** The full build result (binary, key, logFile, tree…) of the subject in `variant` with `patches`. */
export function subjectBuild(variant: VariantName, patches: readonly string[] = []): Promise<BuildResult> {
  const paths = patches.map((patch) => (isAbsolute(patch) ? patch : join(bundledPatchesDir, patch)));
  const id = JSON.stringify([variant, paths]);
  let result = builds.get(id);
  if (!result) {
    result = build({ patches: paths }, [variant], { cacheRoot: testCacheDir }).then(
      (r) => r.variants[variant],
    );
    builds.set(id, result);
    // A failed build is not remembered: the next caller gets a fresh attempt (and the same error).
    result.catch(() => builds.delete(id));
  }
  return result;
}

/** Absolute path of the subject's iperf3 program in `variant`, with `patches` applied in order. */
export async function subjectBinary(variant: VariantName, patches: readonly string[] = []): Promise<string> {
  return (await subjectBuild(variant, patches)).binary;
}

/**
 * The unpatched subject with `configure` generated, as a release tarball ships it: the builder's
 * prepared copy in the shared cache (made once, by whichever build came first). Read it, never write.
 */
export async function subjectReleaseTree(): Promise<string> {
  const tree = await materialise({ patches: [] }, { cacheRoot: testCacheDir });
  return preparedSource(tree, await planBuild(tree), { cacheRoot: testCacheDir });
}
