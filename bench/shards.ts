// One validation (base vs patches/unblocked-worker-signals.patch, server-burst, plain) run as 1 and as
// 2 shards: each shard a separate `sigstorm validate --shard K/N` process on its own CPU (as separate
// runners would be), then `sigstorm merge`. Prints iterations per second and time to verdict for each,
// and the merge time for many synthetic-but-schema-valid blobs (records copied from the real run).
// Run: npx tsx bench/shards.ts [--quick] [--iterations N] [--blobs M] [--per-blob K]. bench/run.ts calls shardsBench().
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { cellSeed } from '../src/pipeline/schedule/cell-run.js';
import { mergeShards } from '../src/pipeline/shards/merge-shards.js';
import { ShardBlob } from '../src/pipeline/shards/shard-blob.schema.js';
import { iterationRange, type ShardPlan, withPlanId } from '../src/pipeline/shards/shard-plan.js';
import { allowedCpus } from '../src/storm/cpus.js';
import { installRoot } from '../src/util/paths.js';

export interface ShardsOptions {
  readonly quick?: boolean;
  /** Iterations per side of the validation (default 200, quick 40). */
  readonly iterations?: number;
  /** Synthetic blobs merged, and iterations per side in each (default 256 × 1,000; quick 16 × 100). */
  readonly blobs?: number;
  readonly iterationsPerBlob?: number;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface ShardedRun {
  readonly shards: number;
  readonly cpus: readonly string[];
  /** Wall time from starting the shards to the merged report. */
  readonly secondsToVerdict: number;
  readonly stormSeconds: number;
  readonly mergeSeconds: number;
  /** Iterations the shards ran (both sides), per second of wall time. */
  readonly iterations: number;
  readonly iterationsPerSecond: number;
  /** Iterations per second of storming alone (the slowest shard's storm time, without its start-up). */
  readonly stormIterationsPerSecond: number;
  readonly verdict: string;
}

export interface ShardsResult {
  readonly iterationsPerSide: number;
  readonly runs: readonly ShardedRun[];
  readonly merge: {
    readonly blobs: number;
    readonly iterationsPerBlob: number;
    readonly megabytes: number;
    readonly seconds: number;
    readonly peakRssMiB: number;
  };
}

const cli = join(installRoot, 'bin', 'sigstorm.js');

export async function shardsBench(options: ShardsOptions = {}): Promise<ShardsResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const iterations = options.iterations ?? (options.quick ? 40 : 200);
  const cpus = allowedCpus();
  const dir = await mkdtemp(join(tmpdir(), 'sigstorm-bench-shards-'));
  try {
    const runs: ShardedRun[] = [];
    for (const shards of [1, 2].filter((n) => n <= cpus.length)) {
      log(`  shards: ${iterations} iterations per side as ${shards} shard(s)`);
      runs.push(await shardedRun(shards, iterations, cpus, join(dir, `n${shards}`), options.signal));
    }
    const template = ShardBlob.parse(
      JSON.parse(await readFile(join(dir, 'n1', 'shard-1-of-1.json'), 'utf8')),
    );
    const blobs = options.blobs ?? (options.quick ? 16 : 256);
    const perBlob = options.iterationsPerBlob ?? (options.quick ? 100 : 1000);
    log(`  shards: merging ${blobs} synthetic blobs of ${perBlob} iterations per side`);
    const merge = await syntheticMerge(template, blobs, perBlob, join(dir, 'synthetic'));
    return { iterationsPerSide: iterations, runs, merge };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function shardedRun(
  shards: number,
  iterations: number,
  cpus: readonly number[],
  dir: string,
  signal: AbortSignal | undefined,
): Promise<ShardedRun> {
  await mkdir(dir, { recursive: true });
  const sets = Array.from({ length: shards }, (_, k) => String(cpus[k] ?? cpus[0]));
  const started = performance.now();
  // Separate processes on separate CPUs, started together, as separate runners would run them.
  await Promise.all(
    sets.map((cpu, k) =>
      execa(
        'node',
        [
          cli,
          'validate',
          '--head-patches',
          join(installRoot, 'patches', 'unblocked-worker-signals.patch'),
          '--workloads',
          'server-burst',
          '--variants',
          'plain',
          '--iterations',
          String(iterations),
          '--throughput-runs',
          '0',
          '--budget',
          '30m',
          '--seed',
          '7',
          '--no-base-cache',
          '--quiet',
          '--cpus',
          cpu,
          '--lanes',
          '1',
          '--shard',
          `${k + 1}/${shards}`,
          '--out',
          dir,
        ],
        { cwd: installRoot, ...(signal ? { cancelSignal: signal } : {}) },
      ),
    ),
  );
  const stormed = performance.now();
  const files = sets.map((_, k) => join(dir, `shard-${k + 1}-of-${shards}.json`));
  const merged = await mergeShards({ files, outDir: join(dir, 'merged') });
  const done = performance.now();
  let slowest = 0;
  for (const file of files) {
    const blob = ShardBlob.parse(JSON.parse(await readFile(file, 'utf8')));
    slowest = Math.max(slowest, blob.cells.reduce((sum, c) => sum + c.elapsedMs, 0) / 1000);
  }
  const ran = merged.tallies.reduce((sum, t) => sum + t.arrived.base + t.arrived.head, 0);
  return {
    shards,
    cpus: sets,
    secondsToVerdict: (done - started) / 1000,
    stormSeconds: (stormed - started) / 1000,
    mergeSeconds: (done - stormed) / 1000,
    iterations: ran,
    iterationsPerSecond: ran / ((stormed - started) / 1000),
    stormIterationsPerSecond: slowest > 0 ? ran / slowest : 0,
    verdict: merged.verdict.stability,
  };
}

/** `count` blobs of one plan, each `perSide` clean iterations per side copied from a real record. */
export async function syntheticMerge(template: ShardBlob, count: number, perSide: number, dir: string) {
  await mkdir(dir, { recursive: true });
  const cell = template.plan.cells[0];
  const record = template.cells[0]?.base[0];
  if (!cell || !record) throw new Error('the template blob has no records');
  const { id: _id, ...body } = template.plan;
  const cap = count * perSide;
  const plan: ShardPlan = withPlanId({
    ...body,
    shards: count,
    cells: [{ ...cell, cap, batches: Math.ceil(cap / body.batchSize) }],
  });
  const seed = cellSeed(plan.seed, cell.workload);
  const clean = { kind: 'clean' as const, exitCode: 0, durationMs: 100, stderrHead: [] };
  const files: string[] = [];
  let bytes = 0;
  for (let k = 1; k <= count; k++) {
    const [first, end] = iterationRange(plan, plan.cells[0] ?? cell, k);
    const side = () =>
      Array.from({ length: end - first }, (_, i) => ({
        ...record,
        seed,
        iteration: first + i,
        target: { ...record.target, outcome: clean },
      }));
    const blob = {
      ...template,
      shard: k,
      plan,
      cells: [{ ...template.cells[0], base: side(), head: side() }],
    };
    const text = JSON.stringify(blob);
    bytes += text.length;
    const file = join(dir, `shard-${k}-of-${count}.json`);
    await writeFile(file, text);
    files.push(file);
  }
  const started = performance.now();
  const merged = await mergeShards({ files, outDir: join(dir, 'merged') });
  const seconds = (performance.now() - started) / 1000;
  if (merged.shards.some((s) => !('file' in s))) throw new Error('a synthetic blob was refused');
  return {
    blobs: count,
    iterationsPerBlob: perSide,
    megabytes: bytes / 2 ** 20,
    seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

export function formatShards(r: ShardsResult): string {
  const lines = [
    `  ${r.iterationsPerSide} iterations per side of server-burst (plain), base vs the bug patch:`,
  ];
  for (const run of r.runs) {
    lines.push(
      `  ${run.shards} shard(s) on CPU ${run.cpus.join(', CPU ')}: ${run.iterationsPerSecond.toFixed(2)} it/s wall (${run.stormIterationsPerSecond.toFixed(2)} it/s storming), ${run.iterations} iterations, ` +
        `time to verdict ${run.secondsToVerdict.toFixed(1)} s (storms ${run.stormSeconds.toFixed(1)} s, merge ${run.mergeSeconds.toFixed(1)} s), verdict ${run.verdict}`,
    );
  }
  const m = r.merge;
  lines.push(
    `  merge of ${m.blobs} synthetic blobs × ${m.iterationsPerBlob} iterations per side (${m.megabytes.toFixed(0)} MiB): ${m.seconds.toFixed(1)} s, peak RSS ${m.peakRssMiB.toFixed(0)} MiB`,
  );
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const number = (flag: string) => {
    const at = process.argv.indexOf(flag);
    return at > 0 ? Number(process.argv[at + 1]) : undefined;
  };
  const [iterations, blobs, iterationsPerBlob] = [
    number('--iterations'),
    number('--blobs'),
    number('--per-blob'),
  ];
  const result = await shardsBench({
    quick: process.argv.includes('--quick'),
    ...(iterations ? { iterations } : {}),
    ...(blobs ? { blobs } : {}),
    ...(iterationsPerBlob ? { iterationsPerBlob } : {}),
  });
  process.stdout.write(`${formatShards(result)}\n`);
}
