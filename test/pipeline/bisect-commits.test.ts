/**
 * `sigstorm bisect --good REF --bad REF` as a user runs it, on real builds and real storms: a git
 * repository made here from the bundled subject with seven commits, the fourth of them bringing
 * patches/unblocked-worker-signals.patch, the others a comment each (test/fixtures/bisect-series/).
 * One workload, plain, as test/pipeline/bisect.test.ts: each step decides in a few iterations. The
 * commits are that test's 7-patch series, one patch each, so the search visits the same trees (the
 * subject, patches 1–7, 1–3, 1–5, 1–4): every build (and the good point's iterations) comes from
 * the caches whichever of the two files asks first, and the other waits for it.
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
/** The seven commits after the subject, oldest first. */
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
    fixturePatch('05-net'),
    fixturePatch('06-options'),
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
  it('names the fourth of seven commits, the one that brings the bug, with its certainty', async () => {
    const jsonFile = join(dir, 'bisect.json');
    const bad = commits[6] ?? '';
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
      `${commits[4]?.slice(0, 12)} 04-report-comment.patch`,
      `${commits[5]?.slice(0, 12)} 05-net-comment.patch`,
      `${bad.slice(0, 12)} 06-options-comment.patch`,
    ]);
    // A commit is never tried alone: it is the tree it names.
    expect(result.answer).toEqual({
      kind: 'first-bad',
      index: 4,
      name: `${culprit.slice(0, 12)} unblocked-worker-signals.patch`,
      alone: 'not-tried',
      certainty: expect.any(Number),
    });
    // α = β = 0.05 over at most 1 + ⌈log2 7⌉ = 4 steps; all four decided.
    expect(result.design.steps).toBe(4);
    expect(result.answer.kind === 'first-bad' && result.answer.certainty).toBeCloseTo(1 - 4 * (0.05 / 4), 10);
    expect(result.steps.map((s) => [s.role, s.candidate.index, s.verdict])).toEqual([
      ['bad-point', 7, 'bad'],
      ['probe', 3, 'good'],
      ['probe', 5, 'bad'],
      ['probe', 4, 'bad'],
    ]);
    expect(run.stdout.split('\n')[0]).toBe(`## Bisection: 🎯 ${result.headline}`);
  }, 600_000);
});
