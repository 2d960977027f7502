// Accuracy of `sigstorm bisect` against a syzbot-style fixed rule, on the same patch series: seven
// patches on the bundled subject, the bug (default patches/unblocked-worker-signals.patch) as patch 4
// and six harmless one-comment patches (test/fixtures/bisect-series/) around it, one workload, plain.
// - sigstorm: `bisect()` as the CLI runs it (each step a sequential test against the good point, α and
//   β split over the steps, inconclusive steps retested), one bisection per seed;
// - fixed rule: the bad point, then a binary search; each step runs the candidate 10 times and calls
//   it bad on a single failure (syzbot's rule for racy bugs), the same seeds.
// Prints the share of correct answers of each, and the mean iterations and storm seconds per bisection.
// Run: npx tsx bench/bisect-accuracy.ts [--repeats N] [--first-seed S] [--bug FILE] [--workload NAME]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { countBatch } from '../src/compare/sequential/count-batch.js';
import { build } from '../src/compile/build-tree.js';
import { bisect } from '../src/pipeline/bisect/bisect.js';
import type { BisectAnswer } from '../src/report/bisect/bisect-result.schema.js';
import { defaultSandbox } from '../src/sandbox/sandbox.schema.js';
import { createLanePool } from '../src/storm/lanes.js';
import { runIterations } from '../src/storm/run-iterations.js';
import { bundledPatchesDir, installRoot } from '../src/util/paths.js';
import { resolveStormWorkload } from '../src/workload/load.js';

const fixtures = join(installRoot, 'test', 'fixtures', 'bisect-series');
const harmless = ['01-units', '02-json', '03-timer', '04-report', '05-net', '06-options'].map((n) =>
  join(fixtures, `${n}-comment.patch`),
);

/** Seven patches, the bug as patch 4 (index 4: candidate 4 is the first with it). */
export function bisectSeries(bug: string): string[] {
  return [...harmless.slice(0, 3), bug, ...harmless.slice(3)];
}

export interface MethodFigures {
  readonly correct: number;
  readonly wrong: number;
  readonly undecided: number;
  readonly meanIterations: number;
  readonly meanStormSeconds: number;
}

export interface BisectAccuracyResult {
  readonly series: readonly string[];
  readonly workload: string;
  readonly repeats: number;
  readonly sigstorm: MethodFigures;
  readonly fixedRule: MethodFigures;
}

interface Run {
  readonly answer: number | 'none' | 'undecided';
  readonly iterations: number;
  readonly seconds: number;
}

export async function bisectAccuracyBench(o: {
  readonly repeats: number;
  readonly firstSeed?: number;
  readonly bug?: string;
  readonly workload?: string;
  readonly log?: (line: string) => void;
}): Promise<BisectAccuracyResult> {
  const repeats = Math.min(Math.max(1, o.repeats), 50);
  const series = bisectSeries(o.bug ?? join(bundledPatchesDir, 'unblocked-worker-signals.patch'));
  const workload = o.workload ?? 'client-stream-sigterm';
  const log = o.log ?? (() => undefined);
  const ours: Run[] = [];
  const fixed: Run[] = [];
  const out = await mkdtemp(join(tmpdir(), 'sigstorm-bisect-bench-'));
  try {
    for (let r = 0; r < repeats; r++) {
      const seed = (o.firstSeed ?? 1) + r;
      const result = await bisect(
        {
          series: { kind: 'patches', good: {}, patches: series },
          workloads: [workload],
          variants: ['plain'],
          seed,
          outDir: join(out, `seed-${seed}`),
        },
        { onStep: (line) => log(`  sigstorm seed ${seed}: ${line}`) },
      );
      ours.push({
        answer: answerOf(result.answer),
        iterations: result.totals.iterationsRun,
        seconds: result.totals.stormSeconds,
      });
      log(
        `sigstorm seed ${seed}: ${result.headline} (${result.totals.iterationsRun} iterations, ${result.totals.stormSeconds.toFixed(0)} s)`,
      );
      const rule = await fixedRuleBisection(series, workload, seed, log);
      fixed.push(rule);
      log(
        `fixed rule seed ${seed}: ${rule.answer} (${rule.iterations} iterations, ${rule.seconds.toFixed(0)} s)`,
      );
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  return {
    series: series.map((p) => p.split('/').at(-1) ?? p),
    workload,
    repeats,
    sigstorm: figures(ours, 4),
    fixedRule: figures(fixed, 4),
  };
}

function answerOf(answer: BisectAnswer): Run['answer'] {
  switch (answer.kind) {
    case 'first-bad':
      return answer.index;
    case 'no-regression':
      return 'none';
    case 'no-single-culprit':
    case 'undecided-within-budget':
      return 'undecided';
    default: {
      const never: never = answer;
      return never;
    }
  }
}

/** syzbot's rule: 10 runs of a candidate, bad on one failure; the bad point first, then a binary search. */
async function fixedRuleBisection(
  series: readonly string[],
  name: string,
  seed: number,
  log: (line: string) => void,
): Promise<Run> {
  const { workload, file } = await resolveStormWorkload(name);
  const pool = await createLanePool();
  let iterations = 0;
  let ms = 0;
  const isBad = async (index: number): Promise<boolean> => {
    const binary = (await build({ patches: [...series.slice(0, index)] }, ['plain'])).variants.plain.binary;
    const started = performance.now();
    const { records } = await runIterations({
      pool,
      binary,
      variant: 'plain',
      workload,
      workloadRef: file,
      // Its own draws per seed and candidate, as a fresh run of a bisection tool would have.
      seed: (seed * 1009 + index) % 0x7fffffff,
      iterations: Array.from({ length: 10 }, (_, i) => i),
      stormId: `fixed-rule-${index}`,
      sandbox: defaultSandbox,
    });
    ms += performance.now() - started;
    iterations += records.length;
    const failures = countBatch(records).failures;
    log(`  fixed rule seed ${seed}: ${index} has ${failures} of ${records.length} failing`);
    return failures > 0;
  };
  const n = series.length;
  if (!(await isBad(n))) return { answer: 'none', iterations, seconds: ms / 1000 };
  let good = 0;
  let bad = n;
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if (await isBad(mid)) bad = mid;
    else good = mid;
  }
  return { answer: bad, iterations, seconds: ms / 1000 };
}

function figures(runs: readonly Run[], culprit: number): MethodFigures {
  const mean = (f: (r: Run) => number) => runs.reduce((s, r) => s + f(r), 0) / Math.max(1, runs.length);
  return {
    correct: runs.filter((r) => r.answer === culprit).length,
    wrong: runs.filter((r) => r.answer !== culprit && r.answer !== 'undecided').length,
    undecided: runs.filter((r) => r.answer === 'undecided').length,
    meanIterations: mean((r) => r.iterations),
    meanStormSeconds: mean((r) => r.seconds),
  };
}

export function formatBisectAccuracy(r: BisectAccuracyResult): string {
  const line = (name: string, f: MethodFigures) =>
    `${name}: ${f.correct}/${r.repeats} correct (${((100 * f.correct) / r.repeats).toFixed(0)}%), ${f.wrong} wrong, ${f.undecided} undecided; ${f.meanIterations.toFixed(1)} iterations and ${f.meanStormSeconds.toFixed(1)} s of storms per bisection`;
  return [
    `Bisection of ${r.series.join(', ')} (culprit: patch 4) on ${r.workload} (plain), ${r.repeats} seeds`,
    line('sigstorm bisect (sequential, α = β = 0.05 split over the steps)', r.sigstorm),
    line('fixed rule (10 runs per step, one failure = bad)', r.fixedRule),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (flag: string) => {
    const i = process.argv.indexOf(flag);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const result = await bisectAccuracyBench({
    repeats: Number(arg('--repeats') ?? 3),
    firstSeed: Number(arg('--first-seed') ?? 1),
    ...(arg('--bug') ? { bug: arg('--bug') as string } : {}),
    ...(arg('--workload') ? { workload: arg('--workload') as string } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${formatBisectAccuracy(result)}\n`);
}
