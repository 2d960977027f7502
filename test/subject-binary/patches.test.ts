import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { materialise } from '../../src/source/materialise.js';
import { readPatchHeader } from '../../src/source/patch-header.js';
import { SigstormError } from '../../src/util/errors.js';
import { bundledPatchesDir } from '../../src/util/paths.js';
import { subjectBuild, testCacheDir } from '../support/subject.js';

/** The series later issues rely on; patches/ may hold more, and every one of them is built. */
const required = [
  'unblocked-worker-signals.patch',
  'printf-in-handler.patch',
  'sigpipe-not-ignored.patch',
  'slow-send.patch',
  'help-text.patch',
  'sigwait-thread.patch',
];
const shipped = (await readdir(bundledPatchesDir)).filter((name) => name.endsWith('.patch')).sort();

describe('patches/', () => {
  it('ships the required series, each with a header sigstorm can read', async () => {
    expect(shipped).toEqual(expect.arrayContaining(required));
    for (const name of shipped) {
      const header = await readPatchHeader(join(bundledPatchesDir, name));
      expect(header.bugClass, name).toBeTruthy();
      expect(header.expectedStability, name).toBeTruthy();
      expect(header.expectedThroughput, name).toBeTruthy();
      for (const before of header.appliesAfter)
        expect(shipped, `${name}: Applies-After ${before}`).toContain(before);
    }
  });

  // Each patch, after the ones its header says it applies after, applies to the subject and builds.
  // The builds run side by side (each its own cache entry; configure runs on one core).
  it.concurrent.for(shipped)('%s applies and builds (plain)', async (name, { expect }) => {
    const header = await readPatchHeader(join(bundledPatchesDir, name));
    const series = [...header.appliesAfter, name];
    const result = await subjectBuild('plain', series);
    expect(result.tree.patches).toEqual(series.map((patch) => join(bundledPatchesDir, patch)));
    expect((await readFile(result.binary)).subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    const unpatched = await subjectBuild('plain');
    expect(result.tree.hash).not.toBe(unpatched.tree.hash);
  });

  it('refuses sigwait-thread.patch without the patch it applies after, naming both', async () => {
    const error = await materialise(
      { patches: [join(bundledPatchesDir, 'sigwait-thread.patch')] },
      { cacheRoot: testCacheDir },
    ).catch((e) => e);
    expect(error).toBeInstanceOf(SigstormError);
    expect(error.message).toMatch(
      /sigwait-thread\.patch \(#1 of 1\) does not apply .*error: patch failed: \S+:\d+/,
    );
    expect(error.hint).toContain('unblocked-worker-signals.patch');
  });
});
