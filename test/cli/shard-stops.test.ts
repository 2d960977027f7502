/**
 * A later shard stops on its own decision (issue 28, item 9), as a user runs it: `sigstorm validate
 * --shard 2/2` alone, real builds of the bundled subject with the worker-signal bug, one workload
 * where head crashes nearly every iteration (client-stream-sigterm), plain, the default cap (2,000 a
 * side: shard 2 holds batches 1, 3, …, 199, 1,000 iterations a side). Its own sequential test
 * settles after its first two batches (the thresholds' minimum of 20 a side), so it stops there,
 * and its progress lines count the iterations it ran. The storm is two batches of ten a side.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countBatch } from '../../src/compare/sequential/count-batch.js';
import { advance, initialState } from '../../src/compare/sequential/decide-cell.js';
import { sequentialSettings } from '../../src/compare/sequential/settings.js';
import { ShardBlob } from '../../src/pipeline/shards/shard-blob.schema.js';
import { installRoot } from '../../src/util/paths.js';
import { testCacheDir } from '../support/subject.js';

let dir = '';
let run: Awaited<ReturnType<typeof execa>>;
let blob: ShardBlob;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-shard-stops-'));
  const file = join(dir, 'shard-2-of-2.json');
  run = await execa(
    'node',
    [
      join(installRoot, 'bin', 'sigstorm.js'),
      'validate',
      '--head-patches',
      'patches/unblocked-worker-signals.patch',
      '--workloads',
      'client-stream-sigterm',
      '--variants',
      'plain',
      '--throughput-runs',
      '0',
      // A bound, never the reason it stops: a shard that ran out its budget fails the test below.
      '--budget',
      '4m',
      '--no-base-cache',
      '--shard',
      '2/2',
      '--blob',
      file,
      '--out',
      join(dir, 'out'),
    ],
    { cwd: installRoot, env: { SIGSTORM_CACHE_DIR: testCacheDir }, reject: false, timeout: 540_000 },
  );
  expect(run.exitCode, String(run.stderr)).toBe(0);
  blob = ShardBlob.parse(JSON.parse(await readFile(file, 'utf8')));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('validate --shard 2/2 of a clear regression (real storm)', () => {
  it('stops on its own decision, at its test’s crossing, long before its share of 1,000 a side', () => {
    const cell = blob.cells[0];
    const planned = blob.plan.cells[0];
    if (!cell || !planned) throw new Error('no cell in the blob');
    expect([planned.cap, planned.batches]).toEqual([2000, 200]);
    expect(cell.stop).toBe('decision');
    // Replays its own sequential test over its batches 1, 3, 5, …: it ran exactly up to the crossing.
    const settings = sequentialSettings(blob.plan.thresholds, planned.variant, 1, planned.cap);
    const noisy = blob.plan.thresholds.findings.noisyFamilies;
    const of = (side: 'base' | 'head', batch: number) =>
      cell[side].filter((r) => Math.floor(r.iteration / blob.plan.batchSize) === batch);
    let state = initialState(settings);
    const ran: number[] = [];
    for (let batch = 1; batch < planned.batches && state.decision.state !== 'stop'; batch += 2) {
      state = advance(
        state,
        { base: countBatch(of('base', batch), noisy), head: countBatch(of('head', batch), noisy) },
        settings,
      );
      ran.push(batch);
    }
    expect(state.decision).toMatchObject({ state: 'stop', reason: 'regression' });
    const iterations = ran.flatMap((b) => Array.from({ length: blob.plan.batchSize }, (_, j) => b * 10 + j));
    expect(cell.head.map((r) => r.iteration)).toEqual(iterations);
    expect(cell.base.map((r) => r.iteration)).toEqual(iterations);
    // Well before its share: a few of its 100 batches (two when head crashes every time).
    expect(ran.length).toBeLessThanOrEqual(5);
    expect(String(run.stdout)).toContain(
      `client-stream-sigterm (plain): ${iterations.length} base, ${iterations.length} head iterations (stop: decision)`,
    );
  });

  it('counts its own iterations in its progress lines, up to the line of its decision', () => {
    const cell = blob.cells[0];
    if (!cell) throw new Error('no cell in the blob');
    const lines = String(run.stderr)
      .split('\n')
      .filter((line) => line.includes('client-stream-sigterm (plain): base'));
    const seen = lines.map((line) => {
      const m = /base (\d+) of (\d+), head (\d+) of (\d+) failed/.exec(line);
      return m ? m.slice(1).map(Number) : [];
    });
    // Whole batches of its own, growing (a log shows a line at most every 5 s), never "0 of 0".
    const totals = seen.map((s) => s[1] ?? 0);
    expect(seen.map((s) => s[3])).toEqual(totals);
    expect(totals.every((n, i) => n > 0 && n % 10 === 0 && n > (totals[i - 1] ?? 0))).toBe(true);
    // The last is the decision, on exactly what the shard ran.
    const noisy = blob.plan.thresholds.findings.noisyFamilies;
    expect(seen.at(-1)).toEqual([
      countBatch(cell.base, noisy).failures,
      cell.base.length,
      countBatch(cell.head, noisy).failures,
      cell.head.length,
    ]);
    expect(lines.at(-1)).toContain("failed: head's odds of failing are higher than base's");
  });
});
