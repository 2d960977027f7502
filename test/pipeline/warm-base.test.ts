import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cellsOfFailedWorkloads, warmBase } from '../../src/pipeline/warm-base.js';
import { bundledPatchesDir } from '../../src/util/paths.js';
import { listProcesses } from '../support/stray-processes.js';
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
    const left = (await listProcesses()).filter(
      (p) => !before.some((b) => b.pid === p.pid) && p.argv.some((a) => a.startsWith(testCacheDir)),
    );
    expect(left).toEqual([]);
  }, 600_000);
});
