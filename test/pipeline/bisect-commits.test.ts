/**
 * `sigstorm bisect --good REF --bad REF` as a user runs it, on real builds and real storms: a git
 * repository made here from the bundled subject with five commits, the fourth of them bringing
 * patches/unblocked-worker-signals.patch, the others a comment each (test/fixtures/bisect-series/).
 * One workload, plain, as test/pipeline/bisect.test.ts: each step decides in a few iterations. The
 * commits are the first five patches of that test's series, so their trees are the same content:
 * the builds (and the good point's iterations) come from the caches whichever test runs first.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BisectResult } from '../../src/report/bisect/bisect-result.schema.js';
import { createFixtureRepo, type FixtureRepo } from '../app/support/fixture-repo.js';
import { culpritPatch, fixturePatch, runBisect } from '../support/bisect-series.js';

let dir = '';
let repo: FixtureRepo;
/** The five commits after the subject, oldest first. */
let commits: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-bisect-commits-'));
  repo = await createFixtureRepo(join(dir, 'fork'));
  let parent = repo.baseSha;
  for (const patch of [
    fixturePatch('01-units'),
    fixturePatch('02-json'),
    fixturePatch('03-timer'),
    culpritPatch,
    fixturePatch('04-report'),
  ]) {
    parent = await repo.commitPatch(patch, parent);
    commits.push(parent);
  }
  await repo.tag('good', repo.baseSha);
});
afterAll(async () => {
  commits = [];
  await rm(dir, { recursive: true, force: true });
});

describe('sigstorm bisect --good --bad (real builds, real storms)', () => {
  it('names the fourth of five commits, the one that brings the bug, with its certainty', async () => {
    const jsonFile = join(dir, 'bisect.json');
    const bad = commits[4] ?? '';
    const culprit = commits[3] ?? '';
    const run = await runBisect([
      '--repo',
      repo.path,
      '--good',
      'good',
      '--bad',
      bad,
      '--json-file',
      jsonFile,
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    const result = BisectResult.parse(JSON.parse(await readFile(jsonFile, 'utf8')));
    expect(result.candidates.map((c) => c.name)).toEqual([
      `${repo.baseSha.slice(0, 12)} (good)`,
      `${commits[0]?.slice(0, 12)} 01-units-comment.patch`,
      `${commits[1]?.slice(0, 12)} 02-json-comment.patch`,
      `${commits[2]?.slice(0, 12)} 03-timer-comment.patch`,
      `${culprit.slice(0, 12)} unblocked-worker-signals.patch`,
      `${bad.slice(0, 12)} 04-report-comment.patch`,
    ]);
    // A commit is never tried alone: it is the tree it names.
    expect(result.answer).toEqual({
      kind: 'first-bad',
      index: 4,
      name: `${culprit.slice(0, 12)} unblocked-worker-signals.patch`,
      alone: 'not-tried',
      certainty: expect.any(Number),
    });
    // α = β = 0.05 over at most 1 + ⌈log2 5⌉ = 4 steps; all four decided.
    expect(result.design.steps).toBe(4);
    expect(result.answer.kind === 'first-bad' && result.answer.certainty).toBeCloseTo(1 - 4 * (0.05 / 4), 10);
    expect(result.steps.map((s) => [s.role, s.candidate.index, s.verdict])).toEqual([
      ['bad-point', 5, 'bad'],
      ['probe', 2, 'good'],
      ['probe', 3, 'good'],
      ['probe', 4, 'bad'],
    ]);
    expect(run.stdout.split('\n')[0]).toBe(`## Bisection: 🎯 ${result.headline}`);
  }, 600_000);
});
