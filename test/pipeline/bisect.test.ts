/**
 * `sigstorm bisect` as a user runs it, in a real process, on real builds and real storms: a 7-patch
 * series on the bundled subject with patches/unblocked-worker-signals.patch as patch 4 and six
 * one-comment patches around it; and a series where no patch regresses. One workload, plain.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BisectResult } from '../../src/report/bisect/bisect-result.schema.js';
import { culpritPatch, fixturePatch, runBisect } from '../support/bisect-series.js';

const fixture = fixturePatch;
const series = [
  fixture('01-units'),
  fixture('02-json'),
  fixture('03-timer'),
  culpritPatch,
  fixture('04-report'),
  fixture('05-net'),
  fixture('06-options'),
];
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-bisect-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bisect = runBisect;

describe('sigstorm bisect (real builds, real storms)', () => {
  it('names patch 4 of a 7-patch series, with its certainty and every step', async () => {
    const jsonFile = join(dir, 'bisect.json');
    const markdownFile = join(dir, 'bisect.md');
    const run = await bisect([
      '--head-patches',
      series.join(','),
      '--json-file',
      jsonFile,
      '--markdown-file',
      markdownFile,
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    const result = BisectResult.parse(JSON.parse(await readFile(jsonFile, 'utf8')));
    expect(result.answer).toMatchObject({
      kind: 'first-bad',
      index: 4,
      name: 'unblocked-worker-signals.patch',
      alone: 'bad',
    });
    // α = β = 0.05 over at most 1 + ⌈log2 7⌉ + 1 = 5 steps: each decided step costs 0.01.
    expect(result.design.steps).toBe(5);
    const decided = result.steps.filter((s) => s.verdict !== 'inconclusive').length;
    expect(result.answer.kind === 'first-bad' && result.answer.certainty).toBeCloseTo(1 - 0.01 * decided, 10);
    // The search: the bad point, then 3, 5, 4 (bad from 4 on), then patch 4 alone.
    expect(result.steps.map((s) => [s.role, s.candidate.index, s.verdict])).toEqual([
      ['bad-point', 7, 'bad'],
      ['probe', 3, 'good'],
      ['probe', 5, 'bad'],
      ['probe', 4, 'bad'],
      ['isolation', 4, 'bad'],
    ]);
    for (const step of result.steps) {
      const cell = step.cells[0];
      expect(cell?.base.failures).toBe(0);
      if (step.verdict === 'bad') expect(cell?.decision).toBe('regression');
      else expect(cell?.decision).toBe('equivalent');
    }
    // The good point's results are reused by every step after the first.
    expect(result.totals.iterationsReused).toBeGreaterThan(0);
    expect(run.stdout.split('\n')[0]).toBe(`## Bisection: 🎯 ${result.headline}`);
    expect(await readFile(markdownFile, 'utf8')).toBe(`${run.stdout}\n`);
    expect(run.stderr).toMatch(
      /sigstorm bisect: step 1 of at most 5: 7 \(06-options-comment\.patch\) against the good point/,
    );
  }, 600_000);

  it('says so when no patch of the series regresses', async () => {
    const jsonFile = join(dir, 'none.json');
    const run = await bisect([
      // The first three patches of the series above: its probe 3, good there, is the bad point here
      // (its build and its iterations come from the caches).
      '--head-patches',
      series.slice(0, 3).join(','),
      '--json',
      '--json-file',
      jsonFile,
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    const result = BisectResult.parse(JSON.parse(run.stdout));
    expect(result.answer.kind).toBe('no-regression');
    expect(result.steps.map((s) => [s.role, s.candidate.index, s.verdict])).toEqual([
      ['bad-point', 3, 'good'],
    ]);
    // One decided step of at most 4 (1 + ⌈log2 3⌉ + 1): 1 − max(α, β) / 4.
    expect(result.answer.kind === 'no-regression' && result.answer.certainty).toBeCloseTo(1 - 0.05 / 4, 10);
    expect(result.totals.iterationsReused).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(jsonFile, 'utf8'))).toEqual(JSON.parse(run.stdout));
  }, 600_000);
});
