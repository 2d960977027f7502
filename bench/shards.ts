// One validation (server-burst, plain) of a clear regression (patches/unblocked-worker-signals.patch)
// and of a harmless change (patches/help-text.patch), each as 1, 2 and 4 shards: every shard a separate
// `sigstorm validate --shard K/N` process on one CPU, run one after the other (as if each had its own
// runner), then `sigstorm merge`. Prints runner time (all shards' processes added up) and wall time
// (the slowest shard plus the merge) for each, and the merge time for many synthetic-but-schema-valid
// blobs (records copied from a real run).
// Run: npx tsx bench/shards.ts [--quick] [--iterations N] [--shards 4[,…]] [--blobs M] [--per-blob K].
// --shards: only these shard counts (default 1, 2, 4; quick 1, 2). bench/run.ts calls shardsBench().
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { cellSeed, sliceBatch, sliceSize } from '../src/pipeline/schedule/cell-run.js';
import { mergeShards } from '../src/pipeline/shards/merge-shards.js';
import { ShardBlob } from '../src/pipeline/shards/shard-blob.schema.js';
import { batchSlice, type ShardPlan, withPlanId } from '../src/pipeline/shards/shard-plan.js';
import { allowedCpus } from '../src/storm/cpus.js';
import { installRoot } from '../src/util/paths.js';

export interface ShardsOptions {
  readonly quick?: boolean;
  /** The cap: iterations per side of the validation (default 200, quick 40). */
  readonly iterations?: number;
  /** The shard counts measured (default 1, 2 and 4; quick 1 and 2). */
  readonly shardCounts?: readonly number[];
  /** Synthetic blobs merged, and iterations per side in each (default 256 × 1,000; quick 16 × 100). */
  readonly blobs?: number;
  readonly iterationsPerBlob?: number;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** The two changes the bench validates: what sharding buys for each. */
const changes = [
  { change: 'regression', patch: 'unblocked-worker-signals.patch' },
  { change: 'harmless', patch: 'help-text.patch' },
] as const;

export interface ShardedRun {
  readonly change: (typeof changes)[number]['change'];
  readonly shards: number;
  /** Each shard process's wall time, and the iterations (both sides) it ran. */
  readonly perShard: readonly {
    readonly seconds: number;
    readonly iterations: number;
    readonly stop: string;
  }[];
  /** All shards' processes added up: what runners bill. */
  readonly runnerSeconds: number;
  /** The slowest shard plus the merge: the time to verdict with a runner per shard. */
  readonly wallSeconds: number;
  readonly mergeSeconds: number;
  /** Iterations the shards ran (both sides), and how many of them the merged test counted. */
  readonly iterations: number;
  readonly counted: number;
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
  const [cpu] = allowedCpus();
  const dir = await mkdtemp(join(tmpdir(), 'sigstorm-bench-shards-'));
  try {
    const runs: ShardedRun[] = [];
    const counts = options.shardCounts ?? (options.quick ? [1, 2] : [1, 2, 4]);
    for (const { change, patch } of changes) {
      for (const shards of counts) {
        log(`  shards: ${change} change, ${iterations} iterations per side as ${shards} shard(s)`);
        const where = join(dir, `${change}-n${shards}`);
        runs.push(
          await shardedRun({ change, patch, shards, iterations, cpu: cpu ?? 0, dir: where }, options.signal),
        );
      }
    }
    // Any real blob: the first run's first shard.
    const first = runs[0];
    if (!first) throw new Error('no shard count to measure');
    const template = ShardBlob.parse(
      JSON.parse(
        await readFile(
          join(dir, `${first.change}-n${first.shards}`, `shard-1-of-${first.shards}.json`),
          'utf8',
        ),
      ),
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
  o: {
    readonly change: ShardedRun['change'];
    readonly patch: string;
    readonly shards: number;
    readonly iterations: number;
    readonly cpu: number;
    readonly dir: string;
  },
  signal: AbortSignal | undefined,
): Promise<ShardedRun> {
  await mkdir(o.dir, { recursive: true });
  const perShard: { seconds: number; iterations: number; stop: string }[] = [];
  const files: string[] = [];
  // One shard at a time on the same CPU: each as it would run alone on its own runner.
  for (let k = 1; k <= o.shards; k++) {
    const started = performance.now();
    await execa(
      'node',
      [
        cli,
        'validate',
        '--head-patches',
        join(installRoot, 'patches', o.patch),
        '--workloads',
        'server-burst',
        '--variants',
        'plain',
        '--iterations',
        String(o.iterations),
        '--throughput-runs',
        '0',
        '--budget',
        '30m',
        '--seed',
        '7',
        '--no-base-cache',
        '--quiet',
        '--cpus',
        String(o.cpu),
        '--lanes',
        '1',
        '--shard',
        `${k}/${o.shards}`,
        '--out',
        o.dir,
      ],
      { cwd: installRoot, ...(signal ? { cancelSignal: signal } : {}) },
    );
    const file = join(o.dir, `shard-${k}-of-${o.shards}.json`);
    const blob = ShardBlob.parse(JSON.parse(await readFile(file, 'utf8')));
    const cell = blob.cells[0];
    perShard.push({
      seconds: (performance.now() - started) / 1000,
      iterations: (cell?.base.length ?? 0) + (cell?.head.length ?? 0),
      stop: cell?.stop ?? 'open',
    });
    files.push(file);
  }
  const merging = performance.now();
  const merged = await mergeShards({ files, outDir: join(o.dir, 'merged') });
  const mergeSeconds = (performance.now() - merging) / 1000;
  const sum = (pick: (t: (typeof merged.tallies)[number]) => number) =>
    merged.tallies.reduce((total, t) => total + pick(t), 0);
  return {
    change: o.change,
    shards: o.shards,
    perShard,
    runnerSeconds: perShard.reduce((total, s) => total + s.seconds, 0),
    wallSeconds: Math.max(...perShard.map((s) => s.seconds)) + mergeSeconds,
    mergeSeconds,
    iterations: sum((t) => t.arrived.base + t.arrived.head),
    counted: sum((t) => t.counted.base + t.counted.head),
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
    const slice = batchSlice(plan, plan.cells[0] ?? cell, k);
    const indices = Array.from({ length: sliceSize(slice) }, (_, i) => sliceBatch(slice, i)).flatMap(
      (batch) => Array.from({ length: plan.batchSize }, (_, j) => batch * plan.batchSize + j),
    );
    const side = () =>
      indices.map((iteration) => ({
        ...record,
        seed,
        iteration,
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
    `  server-burst (plain), cap ${r.iterationsPerSide} iterations per side; each shard alone on one CPU:`,
    '  change      shards  iterations (counted)  runner time  wall time  verdict   per shard (s, iterations, stop)',
  ];
  for (const run of r.runs) {
    const shards = run.perShard.map((s) => `${s.seconds.toFixed(0)} s ${s.iterations} ${s.stop}`).join('; ');
    lines.push(
      `  ${run.change.padEnd(10)}  ${String(run.shards).padStart(6)}  ${`${run.iterations} (${run.counted})`.padStart(20)}  ${`${(run.runnerSeconds / 60).toFixed(1)} min`.padStart(11)}  ${`${(run.wallSeconds / 60).toFixed(1)} min`.padStart(9)}  ${run.verdict.padEnd(8)}  ${shards}`,
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
  const at = process.argv.indexOf('--shards');
  const shardCounts = at > 0 ? (process.argv[at + 1] ?? '').split(',').map(Number) : undefined;
  if (shardCounts?.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`--shards takes shard counts such as 4 or 1,2,4, not ${process.argv[at + 1]}`);
  const [iterations, blobs, iterationsPerBlob] = [
    number('--iterations'),
    number('--blobs'),
    number('--per-blob'),
  ];
  const result = await shardsBench({
    quick: process.argv.includes('--quick'),
    ...(iterations ? { iterations } : {}),
    ...(shardCounts ? { shardCounts } : {}),
    ...(blobs ? { blobs } : {}),
    ...(iterationsPerBlob ? { iterationsPerBlob } : {}),
  });
  process.stdout.write(`${formatShards(result)}\n`);
}
