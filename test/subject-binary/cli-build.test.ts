import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { installRoot } from '../../src/util/paths.js';
import { symbolsOf } from '../compile/fixture-repo.js';
import { testCacheDir } from '../support/subject.js';

const cli = join(installRoot, 'bin', 'sigstorm.js');

/** `sigstorm build …` as a user runs it, in a real process, against the shared test cache. */
function sigstormBuild(args: string[]) {
  return execa('node', [cli, 'build', ...args], {
    cwd: installRoot,
    env: { SIGSTORM_CACHE_DIR: testCacheDir },
    reject: false,
    timeout: 300_000,
  });
}

interface BuildJson {
  tree: { hash: string; repo: string; ref: string | null; patches: string[] };
  variants: Record<string, { binary: string; cached: boolean; key: string; logFile: string }>;
}

describe('sigstorm build (CLI)', () => {
  it('builds the bundled subject in plain, asan and tsan; a second run is all cache hits', async () => {
    const first = await sigstormBuild(['--variants', 'plain,asan,tsan', '--json']);
    expect(first.exitCode, first.stderr).toBe(0);
    const doc = JSON.parse(first.stdout) as BuildJson;
    expect(Object.keys(doc.variants)).toEqual(['plain', 'asan', 'tsan']);
    expect(doc.tree.ref).toBeNull();
    expect(doc.tree.repo).toBe(join(installRoot, 'test', 'subject'));
    for (const result of Object.values(doc.variants)) expect(result.binary).toMatch(/^\/.*\/src\/iperf3$/);
    expect(await symbolsOf(doc.variants.asan?.binary ?? '')).toContain('__asan_init');
    expect(await symbolsOf(doc.variants.tsan?.binary ?? '')).toContain('__tsan_init');
    expect(await symbolsOf(doc.variants.plain?.binary ?? '')).not.toMatch(/__(asan|tsan)_init/);
    // Progress went to stderr, stdout is only the document.
    expect(first.stderr).toContain('sigstorm build:');

    const second = await sigstormBuild(['--variants', 'plain,asan,tsan', '--json']);
    expect(second.exitCode, second.stderr).toBe(0);
    const again = JSON.parse(second.stdout) as BuildJson;
    expect(again.tree.hash, 'test/subject changed on disk between the two runs').toBe(doc.tree.hash);
    for (const [name, result] of Object.entries(again.variants)) {
      expect(result.cached, name).toBe(true);
      expect(result.binary).toBe(doc.variants[name]?.binary);
    }
  });

  it('prints where each binary is for people', async () => {
    const result = await sigstormBuild(['--variants', 'plain']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/bundled subject test\/subject \(working copy\)/);
    expect(result.stdout).toMatch(/plain\s+(cached|built in [\d.]+ s)\s+\/\S+\/src\/iperf3/);
  });

  it('builds the subject with a patch series given on the command line', async () => {
    const result = await sigstormBuild([
      '--patches',
      'patches/unblocked-worker-signals.patch',
      '--variants',
      'plain',
      '--json',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as BuildJson;
    expect(doc.tree.patches).toEqual([join(installRoot, 'patches', 'unblocked-worker-signals.patch')]);
    expect(await symbolsOf(doc.variants.plain?.binary ?? '')).toContain('main');
  });

  it('rejects an unknown variant and a missing patch file with exit status 2', async () => {
    const variant = await sigstormBuild(['--variants', 'plain,msan']);
    expect(variant.exitCode).toBe(2);
    expect(variant.stderr).toContain('Unknown variant in --variants: msan');
    expect(variant.stderr).toContain('plain, asan, tsan');
    const patch = await sigstormBuild(['--patches', 'patches/does-not-exist.patch']);
    expect(patch.exitCode).toBe(2);
    expect(patch.stderr).toContain(join(installRoot, 'patches', 'does-not-exist.patch'));
    expect(patch.stdout).toBe('');
  });
});
