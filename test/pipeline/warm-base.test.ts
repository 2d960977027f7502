import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { iterationPriorMs } from '../../src/pipeline/schedule/iteration-prior.js';
import { runValidation } from '../../src/pipeline/validate.js';
import { cellsOfFailedWorkloads, warmBase } from '../../src/pipeline/warm-base.js';
import { bundledPatchesDir } from '../../src/util/paths.js';
import { resolveStormWorkload } from '../../src/workload/load.js';
import { listProcesses, listProcessesNotOfOtherFiles } from '../support/stray-processes.js';
import { testCacheDir } from '../support/subject.js';

describe('which cells the warm-up deepens', () => {
  it('every variant of a workload whose base failed in one of them, and no other', () => {
    const cell = (name: string, variant: string, failures: number) => ({
      workload: { name },
      variant,
      failures,
    });
    const cells = [
      cell('server-sighup', 'plain', 0),
      cell('server-burst', 'plain', 0),
      cell('server-sighup', 'asan', 2),
      cell('server-burst', 'asan', 0),
    ];
    const deeper = cellsOfFailedWorkloads(cells, (c) => c.failures > 0);
    expect(deeper.map((c) => `${c.workload.name} (${c.variant})`)).toEqual([
      'server-sighup (plain)',
      'server-sighup (asan)',
    ]);
    expect(cellsOfFailedWorkloads(cells, () => false)).toEqual([]);
  });
});

describe('base warm-up (real builds, real storms)', () => {
  beforeAll(() => {
    // Builds come from the suite's shared cache (each tree is built once).
    process.env.SIGSTORM_CACHE_DIR = testCacheDir;
  });

  it('warms every cell to its share, and every variant of a workload whose base failed on to the second look', async () => {
    const before = await listProcesses();
    // Base results are keyed by seed: a fresh one, so that every iteration counted below ran here.
    const request = {
      // A base that lets stream threads run the handler: client-stream-sigterm (a SIGTERM aimed at a
      // stream thread) fails in most iterations; idle-server-sigterm (no stream threads) never does.
      base: { patches: [join(bundledPatchesDir, 'unblocked-worker-signals.patch')] },
      head: {},
      workloads: ['client-stream-sigterm', 'idle-server-sigterm'],
      variants: ['plain', 'asan'],
      // A 70% coarse tolerance looks at 3 and 11 iterations per side (0.8β, then 0.14β): a short test.
      thresholds: { stability: { cellTolerance: 0.7 } },
      seed: randomInt(1, 2 ** 31),
    } as const;
    const result = await warmBase(request);
    expect(result).toMatchObject({ cells: 4, share: 3, deep: 11, alreadyCached: 0 });
    expect(result.noisyCells).toEqual(['client-stream-sigterm (plain)', 'client-stream-sigterm (asan)']);
    expect(result.ran).toBe(4 * 3 + 2 * (11 - 3));
    // Again: everything is in the cache, nothing runs.
    const again = await warmBase(request);
    expect(again).toMatchObject({ ran: 0, alreadyCached: 12 });
    // Nothing of the storms is left: no new process runs a binary from the build cache.
    const left = (await listProcessesNotOfOtherFiles()).filter(
      (p) => !before.some((b) => b.pid === p.pid) && p.argv.some((a) => a.startsWith(testCacheDir)),
    );
    expect(left).toEqual([]);
  }, 600_000);

  it('a cold base under fail fast: the first batch on both sides, then the base warmed as --warm-base does, off the budget', async () => {
    const before = await listProcesses();
    const request = {
      base: {},
      head: { patches: [join(bundledPatchesDir, 'help-text.patch')] },
      workloads: ['server-sigterm'],
      variants: ['plain'],
      // A 25% coarse tolerance looks first at 12 iterations per side: the share.
      thresholds: { stability: { cellTolerance: 0.25, tolerance: { plain: 0.5, asan: 0.5, tsan: 0.5 } } },
      seed: randomInt(1, 2 ** 31),
    } as const;
    // 12 base and 12 head iterations at the workload's prior rate, more than the budget: warmed.
    const prior = iterationPriorMs((await resolveStormWorkload('server-sigterm')).workload, 'plain');
    const budgetSeconds = Math.floor((0.9 * 24 * prior) / 1000);
    const lines: string[] = [];
    const result = await runValidation(
      { ...request, throughputRuns: 0, budgetSeconds, failFast: true },
      { onProgress: (p) => lines.push(p.message) },
    );
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const announced = at(
      /every cell's first batch runs on base and head .* then the base is warmed once \(12 base iterations/,
    );
    const firstBatch = at(/^server-sigterm \(plain\): base \d+ of 2, head \d+ of 2 failed/);
    const warming = at(/^warming base once: 10 base iterations/);
    const warmed = at(/^base warmed: 10 iterations in .*; the budget goes on for head's looks/);
    // The budget goes on after it (its clock stopped meanwhile): head's looks planned again.
    const replanned = lines.findIndex((l, i) => i > warmed && /^budget: the looks of 1 cells need/.test(l));
    expect(
      [announced, firstBatch, warming, warmed, replanned].every((i) => i >= 0),
      lines.join('\n'),
    ).toBe(true);
    expect(announced < firstBatch && firstBatch < warming && warming < warmed).toBe(true);
    expect(result.report.verdict.stability).not.toBe('regression');
    // The cache holds the share as a warm-up puts it: --warm-base now runs nothing.
    expect(await warmBase(request)).toMatchObject({ share: 12, ran: 0, alreadyCached: 12 });
    const left = (await listProcessesNotOfOtherFiles()).filter(
      (p) => !before.some((b) => b.pid === p.pid) && p.argv.some((a) => a.startsWith(testCacheDir)),
    );
    expect(left).toEqual([]);
  }, 300_000);
});
