import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutLocalPaths } from '../../src/pipeline/output/portable-repro.js';
import { publicSource } from '../../src/source/public-source.js';
import { portableReproCommand } from '../../src/storm/repro.js';
import { bundledPatchesDir, bundledSubjectDir } from '../../src/util/paths.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-public-source-'));
  for (const name of ['with-origin', 'no-origin']) {
    await execa('git', ['init', '-q', join(dir, name)]);
  }
  await execa(
    'git',
    ['remote', 'add', 'origin', 'https://x-access-token:ghs_secret@github.com/o/iperf.git'],
    {
      cwd: join(dir, 'with-origin'),
    },
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const commit = '3f9c2e1a77d04b8e9a0c4d5e6f708192a3b4c5d6';

describe('publicSource: a tree as somebody else can get it', () => {
  it('names a URL without its credentials, and a local checkout by its origin remote', async () => {
    const url = await publicSource({
      repo: 'https://x-access-token:ghs_abc@github.com/o/iperf.git',
      ref: 'main',
      commit,
      patches: [],
    });
    expect(url).toEqual({ repo: 'https://github.com/o/iperf.git', commit, patches: [] });
    const checkout = await publicSource({ repo: join(dir, 'with-origin'), ref: 'main', commit, patches: [] });
    expect(checkout.repo).toBe('https://github.com/o/iperf.git');
  });

  it('prefers the name the caller gives (the App: the clone URL of a mirrored repository)', async () => {
    const named = await publicSource(
      { repo: join(dir, 'no-origin'), ref: 'main', commit, patches: [] },
      { repo: 'https://github.com/o/iperf.git' },
    );
    expect(named.repo).toBe('https://github.com/o/iperf.git');
  });

  it('names the bundled subject by nothing, shipped patches as patches/NAME, others relative or by name', async () => {
    const bundled = await publicSource(
      {
        repo: bundledSubjectDir,
        ref: null,
        commit: null,
        patches: [join(bundledPatchesDir, 'unblocked-worker-signals.patch'), join(dir, 'mine.patch')],
      },
      { cwd: '/somewhere/else' },
    );
    expect(bundled).toEqual({
      repo: null,
      commit: null,
      patches: ['patches/unblocked-worker-signals.patch', 'mine.patch'],
    });
    const local = await publicSource(
      { repo: join(dir, 'no-origin'), ref: null, commit: null, patches: [join(dir, 'p', 'a.patch')] },
      { cwd: dir },
    );
    expect(local).toEqual({ repo: 'no-origin', commit: null, patches: ['p/a.patch'] });
  });
});

describe('portableReproCommand', () => {
  it('names tree, variant, workload, seed, iteration and CPU count, quoted for a shell', () => {
    expect(
      portableReproCommand({
        source: { repo: 'https://github.com/o/iperf.git', commit, patches: ['a b.patch', 'c.patch'] },
        variant: 'asan',
        workloadRef: 'client-burst',
        seed: 1234,
        iteration: 17,
        cpuCount: 2,
      }),
    ).toBe(
      `node bin/sigstorm.js repro --repo https://github.com/o/iperf.git --ref ${commit} --patches 'a b.patch,c.patch' --variant asan --workload client-burst --seed 1234 --iteration 17 --cpu-count 2`,
    );
  });
});

describe('withoutLocalPaths', () => {
  it("turns a build's tree into the tree and the rest of the cache into <cache>", () => {
    const cache = '/home/me/.cache/sigstorm';
    expect(
      withoutLocalPaths(
        `    #6 0x55b09c90f670 in _start (${cache}/builds/asan-1adbac742f73/tree/src/iperf3+0x23670)\nlog: ${cache}/storms/x.jsonl`,
        cache,
      ),
    ).toBe('    #6 0x55b09c90f670 in _start (src/iperf3+0x23670)\nlog: <cache>/storms/x.jsonl');
  });
});
