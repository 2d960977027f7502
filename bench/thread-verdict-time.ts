// Iterations and storm seconds to a stability verdict on patches/unblocked-worker-signals.patch,
// before thread-level evidence (server-burst, client-burst: the kernel hands a burst's later signals
// to a worker by chance) and after (client-/server-stream-sigterm: SIGTERM aimed at a stream thread
// with tgkill). Warm build cache, plain builds, sequential stopping, one seed.
// Run: npx tsx bench/thread-verdict-time.ts [--seed N]
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from '../src/build/build-tree.js';
import { bundledPatchesDir } from '../src/util/paths.js';
import { type TimedValidation, timedValidation } from './timed-validation.js';

export interface ThreadVerdictRow extends TimedValidation {
  readonly when: 'before' | 'after';
  readonly workload: string;
}

const patch = join(bundledPatchesDir, 'unblocked-worker-signals.patch');
const workloads = [
  { when: 'before', workload: 'server-burst' },
  { when: 'before', workload: 'client-burst' },
  { when: 'after', workload: 'client-stream-sigterm' },
  { when: 'after', workload: 'server-stream-sigterm' },
] as const;

export async function threadVerdictBench(
  seed = 1,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  signal?: AbortSignal,
): Promise<ThreadVerdictRow[]> {
  const buildOptions = signal ? { signal } : {};
  await build({}, ['plain'], buildOptions);
  await build({ patches: [patch] }, ['plain'], buildOptions);
  const rows: ThreadVerdictRow[] = [];
  for (const { when, workload } of workloads) {
    log(`  thread-verdict-time: ${workload} (${when}), seed ${seed}`);
    const timed = await timedValidation(
      {
        base: {},
        head: { patches: [patch] },
        variants: ['plain'],
        workloads: [workload],
        throughputRuns: 0,
        baseCache: false,
        budgetSeconds: 900,
        seed,
      },
      log,
      signal,
    );
    rows.push({ when, workload, ...timed });
  }
  return rows;
}

export function formatThreadVerdict(rows: readonly ThreadVerdictRow[]): string {
  return [
    'Iterations and storm seconds to a verdict on patches/unblocked-worker-signals.patch (plain, warm cache, sequential stopping):',
    ...rows.map(
      (r) =>
        `  ${r.when.padEnd(6)} ${r.workload.padEnd(22)} ${r.verdict.padEnd(12)} ${r.iterations.base} base / ${r.iterations.head} head iterations, ${r.stormSeconds.toFixed(1)} s of storm time (failures ${r.cells[0]?.failures.base ?? 0} / ${r.cells[0]?.failures.head ?? 0})`,
    ),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const seedAt = process.argv.indexOf('--seed');
  const seed = seedAt > 0 ? Number(process.argv[seedAt + 1]) : 1;
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const rows = await threadVerdictBench(seed, undefined, controller.signal);
  process.stdout.write(`${formatThreadVerdict(rows)}\n`);
}
