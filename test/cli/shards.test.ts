/**
 * A sharded validation as a user runs it: `sigstorm validate --shard K/2` twice (real processes,
 * real builds of the bundled subject, short real storms), then `sigstorm merge` of the blobs. Each shard stops on its own sequential test; the merged report counts exactly the
 * iterations the shards ran (less what came after the sequential stop), and a missing, tampered or
 * oversized blob is named with its shard and planned batches.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { countBatch } from '../../src/compare/sequential/count-batch.js';
import { advance, initialState } from '../../src/compare/sequential/decide-cell.js';
import { sequentialSettings } from '../../src/compare/sequential/settings.js';
import { ShardBlob } from '../../src/pipeline/shards/shard-blob.schema.js';
import { withPlanId } from '../../src/pipeline/shards/shard-plan.js';
import { Report } from '../../src/report/report.schema.js';
import { installRoot } from '../../src/util/paths.js';
import { listProcessesNotOfOtherFiles } from '../support/stray-processes.js';
import { subjectBuild, testCacheDir } from '../support/subject.js';

const cli = join(installRoot, 'bin', 'sigstorm.js');
const env = { SIGSTORM_CACHE_DIR: testCacheDir };
let dir = '';
const blobFile = (k: number) => join(dir, `shard-${k}-of-2.json`);
const blobs: ShardBlob[] = [];

function sigstorm(args: readonly string[]) {
  return execa('node', [cli, ...args], { cwd: installRoot, env, reject: false, timeout: 540_000 });
}

function merge(files: readonly string[], out: string, extra: readonly string[] = []) {
  return sigstorm(['merge', ...files, '--out', join(dir, out), '--json', ...extra]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-shards-'));
  // A cap of 120 iterations a side in batches of 10: shard 1 may run batches 0, 2, …, 10, shard 2
  // batches 1, 3, …, 11; each stops when its own test settles. The bug patch ends the client in
  // nearly every iteration of client-stream-sigterm and base in none: each shard's test settles at its
  // 20 a side (server-burst, one crash in five, took both shards to 60 a side). The two run at once,
  // as on two runners.
  const shard = (k: number) =>
    sigstorm([
      'validate',
      '--head-patches',
      'patches/unblocked-worker-signals.patch',
      '--workloads',
      'client-stream-sigterm',
      '--variants',
      'plain',
      '--iterations',
      '120',
      '--throughput-runs',
      '0',
      '--budget',
      '10m',
      '--no-base-cache',
      '--quiet',
      '--shard',
      `${k}/2`,
      '--blob',
      blobFile(k),
    ]);
  // The builds first, once: the two shards then start storming together.
  await subjectBuild('plain');
  await subjectBuild('plain', ['unblocked-worker-signals.patch']);
  const runs = await Promise.all([shard(1), shard(2)]);
  for (const [i, run] of runs.entries()) {
    const k = i + 1;
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Shard ${k}/2 of plan`);
    blobs.push(ShardBlob.parse(JSON.parse(await readFile(blobFile(k), 'utf8'))));
  }
});

describe('sigstorm validate --shard K/N and sigstorm merge (real storms)', () => {
  it('writes blobs of one plan whose slices do not overlap and draw the same choices as one machine would', async () => {
    const [one, two] = blobs;
    if (!one || !two) throw new Error('no blobs');
    expect(one.plan.id).toBe(two.plan.id);
    expect(one.plan.cells).toEqual([
      expect.objectContaining({ workload: 'client-stream-sigterm', cap: 120, batches: 12 }),
    ]);
    const indices = (b: ShardBlob, side: 'base' | 'head') => b.cells[0]?.[side].map((r) => r.iteration) ?? [];
    const batch = (i: number) => Math.floor(i / 10);
    expect(indices(one, 'head').every((i) => batch(i) % 2 === 0)).toBe(true);
    expect(indices(two, 'head').every((i) => batch(i) % 2 === 1)).toBe(true);
    // Iteration i has the cell's seed and the same random delay on base and head, in every shard.
    for (const b of blobs) {
      const cell = b.cells[0];
      if (!cell) throw new Error('no cell');
      for (const head of cell.head) {
        const base = cell.base.find((r) => r.iteration === head.iteration);
        if (base) expect([base.seed, base.delayMs]).toEqual([head.seed, head.delayMs]);
      }
    }
    expect(new Set(blobs.flatMap((b) => b.cells[0]?.head.map((r) => r.seed) ?? [])).size).toBe(1);
    // The committed JSON Schema accepts a real blob.
    const schema: unknown = JSON.parse(
      await readFile(join(installRoot, 'schemas', 'shard-blob.schema.json'), 'utf8'),
    );
    const validate = new Ajv2020({ strict: false }).compile(schema as object);
    expect(validate(JSON.parse(await readFile(blobFile(2), 'utf8'))), JSON.stringify(validate.errors)).toBe(
      true,
    );
  });

  it('shard 2 of 2 stops on its own evidence: at the first of its batches where its own test settles', () => {
    const blob = blobs[1];
    const cell = blob?.cells[0];
    const planned = blob?.plan.cells[0];
    if (!blob || !cell || !planned) throw new Error('no blob of shard 2');
    // Its batches are 1, 3, 5, …, 11; replay its own sequential test over what it ran, batch by batch.
    const settings = sequentialSettings(
      blob.plan.thresholds,
      planned.variant,
      blob.plan.cells.length,
      planned.cap,
    );
    const noisy = blob.plan.thresholds.findings.noisyFamilies;
    const of = (side: 'base' | 'head', batch: number) =>
      cell[side].filter((r) => Math.floor(r.iteration / 10) === batch);
    let state = initialState(settings);
    let ran = 0;
    for (const batch of [1, 3, 5, 7, 9, 11]) {
      if (state.decision.state === 'stop') break;
      const pair = { base: countBatch(of('base', batch), noisy), head: countBatch(of('head', batch), noisy) };
      expect([pair.base.n, pair.head.n]).toEqual([10, 10]);
      state = advance(state, pair, settings);
      ran++;
    }
    // It ran exactly up to its test's crossing (none after), or all six when the test stayed open.
    const expected = [1, 3, 5, 7, 9, 11]
      .slice(0, ran)
      .flatMap((b) => Array.from({ length: 10 }, (_, j) => b * 10 + j));
    expect(cell.head.map((r) => r.iteration)).toEqual(expected);
    expect(cell.base.map((r) => r.iteration)).toEqual(expected);
    expect(cell.stop).toBe(state.decision.state === 'stop' ? 'decision' : 'slice');
  });

  it('merges the blobs into the report of their iterations added up, a regression', async () => {
    const run = await merge([blobFile(1), blobFile(2)], 'merged', ['--fail-on-regression']);
    expect(run.exitCode, run.stderr).toBe(3);
    const report = Report.parse(JSON.parse(run.stdout));
    expect(report.verdict.stability).toBe('regression');
    const cell = report.stability.cells[0];
    const arrived = (side: 'base' | 'head') =>
      blobs.reduce((sum, b) => sum + (b.cells[0]?.[side].length ?? 0), 0);
    // Counted plus set aside after the sequential stop is what the shards ran, side by side.
    const after = /after the sequential stop (\d+) \+ (\d+)/.exec(run.stderr);
    expect((cell?.base.iterations ?? 0) + Number(after?.[1] ?? 0)).toBe(arrived('base'));
    expect((cell?.head.iterations ?? 0) + Number(after?.[2] ?? 0)).toBe(arrived('head'));
    expect(report.notRun.some((n) => /shard/.test(n.what))).toBe(false);
    const files = await readFile(
      join(dir, 'merged', 'iterations', 'client-stream-sigterm.plain.head.jsonl'),
      'utf8',
    );
    expect(files.trim().split('\n')).toHaveLength(arrived('head'));
  });

  it('names a missing shard with its planned range and never counts its iterations as clean', async () => {
    const run = await merge([blobFile(1)], 'one-shard');
    expect(run.exitCode, run.stderr).toBe(0);
    const planned = 'iterations 10–19, 30–39, …, 110–119 of each cell';
    expect(run.stderr).toContain(`shard 2/2 (${planned}): MISSING`);
    const report = Report.parse(JSON.parse(run.stdout));
    const named = report.notRun.find((n) => n.what === `shard 2/2 (${planned})`);
    expect(named?.why).toMatch(/count as missing, not clean/);
    expect(report.stability.cells[0]?.head.iterations).toBe(blobs[0]?.cells[0]?.head.length ?? 0);
    // Shard 1's iterations are the merged cell's, in the same order: its sequential test stops exactly
    // when it stopped shard 1.
    const settled = blobs[0]?.cells[0]?.stop === 'decision';
    const cell = report.stability.cells[0];
    expect(cell?.sequential?.state).toBe(settled ? 'stop' : 'continue');
    // A regression either way: settled by that test, or, open, by the head crashes base never showed
    // (the patch ends the client in nearly every iteration: none in shard 1's ≥ 20 would take a rate
    // far below the 12 of 12 seen). The missing half never counts as clean.
    expect(cell?.head.failures).toBeGreaterThan(0);
    expect(report.verdict.stability).toBe('regression');
  });

  it("says why a shard stopped an open cell short: the report's halted field", async () => {
    // Shard 1 as a run whose budget ran out after its first batch of 10.
    const short = JSON.parse(await readFile(blobFile(1), 'utf8'));
    for (const side of ['base', 'head'] as const) {
      short.cells[0][side] = short.cells[0][side].filter((r: { iteration: number }) => r.iteration < 10);
    }
    short.cells[0].stop = 'budget';
    const shortFile = join(dir, 'budget-shard-1-of-2.json');
    await writeFile(shortFile, JSON.stringify(short));
    // The two merges are independent: they run side by side.
    const [run, whole] = await Promise.all([
      merge([shortFile], 'budget'),
      merge([blobFile(1), blobFile(2)], 'whole'),
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    const report = Report.parse(JSON.parse(run.stdout));
    const cell = report.stability.cells[0];
    // Open after 10 + 10: the budget halted it, and "Not run" says so; settled already: nothing
    // halted it.
    const open = cell?.sequential?.state === 'continue';
    expect(cell?.halted).toBe(open ? 'budget' : undefined);
    const said = report.notRun.some((n) => n.why.includes('shard 1/2: its storm time budget was spent'));
    expect(said).toBe(open);
    // The whole run's blobs: both shards ran their slices, nothing is halted.
    expect(Report.parse(JSON.parse(whole.stdout)).stability.cells[0]?.halted).toBeUndefined();
  });

  it('refuses a tampered or oversized blob and names its shard and file', async () => {
    const tampered = JSON.parse(await readFile(blobFile(2), 'utf8'));
    tampered.cells[0].head[0].iteration = 3; // an iteration of shard 1's range
    const tamperedFile = join(dir, 'tampered-shard-2-of-2.json');
    await writeFile(tamperedFile, JSON.stringify(tampered));
    const truncated = join(dir, 'shard-2-of-2.truncated.json');
    await writeFile(truncated, (await readFile(blobFile(2), 'utf8')).slice(0, 500));
    // The three merges are independent: they run side by side.
    const [run, cut, big] = await Promise.all([
      merge([blobFile(1), tamperedFile], 'tampered'),
      merge([blobFile(1), truncated], 'truncated'),
      merge([blobFile(1), blobFile(2)], 'big', ['--max-blob-size', '1K']),
    ]);
    expect(run.stderr).toMatch(
      /shard 2\/2 \(iterations 10–19, 30–39, …, 110–119 of each cell\): MISSING: its blob was refused: .*tampered-shard-2-of-2\.json: client-stream-sigterm \(plain\) head iteration 3 is outside shard 2's planned iterations 10–19, 30–39, …, 110–119/,
    );
    expect(cut.stderr).toMatch(/shard 2\/2 .*MISSING: its blob was refused: .*truncated\.json: not JSON/);

    expect(big.exitCode).toBe(2);
    expect(big.stderr).toMatch(/No shard blob to merge/);
    expect(big.stderr).toMatch(/shard-1-of-2\.json: .* more than the 1\.0 KiB a shard blob may be/);
  });

  it('refuses a second blob of a shard, and stops when the blobs split evenly between two validations', async () => {
    const copy = join(dir, 'copy-of-shard-1.json');
    await writeFile(copy, await readFile(blobFile(1), 'utf8'));
    // Shard 2 of another validation (another policy, its plan id recomputed): one blob each.
    const other = JSON.parse(await readFile(blobFile(2), 'utf8'));
    const { id: _id, ...body } = other.plan;
    const policy = { ...body.policy, stability: { ...body.policy.stability, inconclusive: 'failure' } };
    other.plan = withPlanId({ ...body, policy });
    const otherFile = join(dir, 'other-shard-2-of-2.json');
    await writeFile(otherFile, JSON.stringify(other));
    // Edited records no longer match a plan: another seed makes the blob refused, its shard missing.
    other.plan = withPlanId({ ...body, seed: body.seed + 1 });
    const reseededFile = join(dir, 'reseeded-shard-2-of-2.json');
    await writeFile(reseededFile, JSON.stringify(other));
    // The three merges are independent: they run side by side.
    const [twice, split, reseeded] = await Promise.all([
      merge([blobFile(1), copy, blobFile(2)], 'twice'),
      merge([blobFile(1), otherFile], 'split'),
      merge([blobFile(1), reseededFile], 'reseeded'),
    ]);
    expect(twice.exitCode, twice.stderr).toBe(0);
    const report = Report.parse(JSON.parse(twice.stdout));
    expect(report.notRun.some((n) => /^shard/.test(n.what))).toBe(false);
    expect(report.notRun).toContainEqual({
      what: `blob ${copy}`,
      why: `refused: a second blob of shard 1 (the first: ${blobFile(1)})`,
    });

    expect(split.exitCode).toBe(2);
    expect(split.stderr).toMatch(/The blobs belong to 2 different validations/);
    expect(reseeded.stderr).toMatch(
      /shard 2\/2 .*MISSING: its blob was refused: .* has seed \d+, not the plan's \d+/,
    );
  });

  it('judges by the policy of --config, and refuses (names, never merges) shards planned with other thresholds than its own', async () => {
    const lenient = join(dir, 'lenient.yml');
    await writeFile(lenient, 'policy:\n  stability:\n    regression: neutral\n');
    const stricter = join(dir, 'stricter.yml');
    await writeFile(stricter, 'thresholds:\n  stability:\n    alpha: 0.01\n');
    // The two merges are independent: they run side by side.
    const [judged, refused] = await Promise.all([
      merge([blobFile(1), blobFile(2)], 'lenient', ['--config', lenient, '--fail-on-regression']),
      merge([blobFile(1), blobFile(2)], 'stricter', ['--config', stricter]),
    ]);
    expect(judged.exitCode, judged.stderr).toBe(0);
    expect(judged.stderr).toContain('Conclusion under the policy: neutral');

    // Each blob is refused, saying which setting differs; with none left, nothing is merged.
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('No shard blob to merge');
    expect(refused.stderr).toMatch(
      /planned with other thresholds than the config's \(plan [0-9a-f]{16}: stability\.alpha [\d.]+, not 0\.01\)/,
    );
  });

  it('leaves no subject process running', async () => {
    const binaries = new Set(blobs.flatMap((b) => b.cells[0]?.head.map((r) => r.binary) ?? []));
    const left = (await listProcessesNotOfOtherFiles()).filter((p) =>
      p.argv.some((arg) => binaries.has(arg)),
    );
    expect(left).toEqual([]);
  });
});
