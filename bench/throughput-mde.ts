// The smallest throughput change detectable at 95% with 80% power, before and after issue 15:
// - before: 5 + 5 runs of 5 s, unpaired (Mann–Whitney interval of all pairwise ratios), as sigstorm
//   measured until then; its detectable change from the measured spread by simulation;
// - after: the design validate runs now (workloads/throughput.yaml): ABBA pairs, warm-up cut, paired
//   signed-rank interval, looks at 30/60/100% of the budget with α spent over them; its detectable
//   change by replaying that design on pair differences with the measured spread (normal, and
//   resampled from the differences measured).
// Both measure base against itself (one binary as both sides), interleaved and pinned as validate
// does. Run: npx tsx bench/throughput-mde.ts [--quick] [--binary PATH]. bench/run.ts calls
// throughputMdeBench().
import { pathToFileURL } from 'node:url';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { relativeChange } from '../src/compare/stats/hodges-lehmann.js';
import { shiftIntervalRanks } from '../src/compare/stats/rank-sum-distribution.js';
import {
  compareThroughput,
  rowConfidence,
  throughputChange,
  throughputStopRule,
} from '../src/compare/throughput/compare-throughput.js';
import { lookConfidence, lookSchedule } from '../src/compare/throughput/looks.js';
import { build } from '../src/compile/build-tree.js';
import { defaultThresholds } from '../src/config/thresholds.schema.js';
import { iterationRandom } from '../src/storm/prng.js';
import { interleavedThroughput } from '../src/throughput/interleave.js';
import { resolveWorkload } from '../src/workload/load.js';
import type { ThroughputWorkload } from '../src/workload/schema.js';
import {
  type DrawPair,
  normalPairs,
  resampledPairs,
  simulateThroughputRow,
} from '../test/support/simulate-throughput.js';

export interface ThroughputMdeOptions {
  /** Short version: 1-second runs instead of the definition's (figures are rough). */
  readonly quick?: boolean;
  /** Binary measured as both sides; default the bundled subject's plain build (what validate measures). */
  readonly binary?: string;
  /** Simulations behind each power figure (default 20000 before, 2000 per step after). */
  readonly simulations?: number;
  /** Skip the before measurement (5 + 5 runs of the old design). */
  readonly afterOnly?: boolean;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** The design before issue 15, item 5: fixed 5 + 5 unpaired runs of 5 s. */
export interface BeforeFigures {
  readonly runs: number;
  readonly streams: number;
  readonly seconds: number;
  readonly confidence: number;
  /** The run figure: end.sum_received of each run, bit/s. */
  readonly base: readonly number[];
  readonly head: readonly number[];
  /** Pooled standard deviation of ln(throughput) over both sides (each around its own mean). */
  readonly sigma: number;
  /** Smallest and largest of the n·m pairwise head/base ratios, minus 1. */
  readonly pairwiseRange: readonly [number, number];
  /** The A/A comparison as the report would show it. */
  readonly aa: { readonly estimate: number; readonly lower: number | null; readonly upper: number | null };
  /** Ranks of the interval ends among the n·m sorted pairwise log ratios, and their coverage. */
  readonly ranks: { readonly lower: number; readonly upper: number; readonly achieved: number } | null;
  readonly simulations: number;
  /** 80th and 50th percentiles of the interval's upper end (ln) for A/A samples of unit spread. */
  readonly unitQuantiles: { readonly p80: number; readonly p50: number };
  /** Smallest slowdown (as head/base − 1, negative) whose interval excludes 0 in 80% / 50% of simulations. */
  readonly mde80: number;
  readonly mde50: number;
  /** Normal-theory check: (z_{achieved} + z_0.8)·σ·√(π/3·(1/n + 1/m)), as a relative change. */
  readonly normalApprox80: number;
}

/** The sequential paired design validate runs now. */
export interface AfterFigures {
  readonly budget: number;
  readonly looks: readonly number[];
  /** Confidence of the interval at each look (α spent over the looks). */
  readonly lookConfidences: readonly number[];
  readonly streams: number;
  readonly seconds: number;
  readonly warmup: number;
  readonly pin: string;
  /** The A/A run as validate would make it: the figure of each run (bit/s after the warm-up). */
  readonly base: readonly number[];
  readonly head: readonly number[];
  /** Pairs it took, and why it stopped. */
  readonly pairs: number;
  readonly stopped: 'settled' | 'budget';
  readonly aa: { readonly estimate: number; readonly lower: number | null; readonly upper: number | null };
  readonly verdict: string;
  /** Standard deviation of the pairs' ln(head/base), plain and robust (1.4826·MAD). */
  readonly sigmaPair: number;
  readonly sigmaPairRobust: number;
  /** For comparison with before: the spread of single runs, ln, pooled over both sides. */
  readonly sigmaRun: number;
  readonly simulations: number;
  /** Smallest slowdown whose final interval lies below 0 in 80% of replays: normal pairs of sigmaPair, and the measured pairs resampled. */
  readonly mde80: { readonly normal: number; readonly resampled: number };
  /** Smallest slowdown called a regression (interval below −threshold) in 80% of normal replays. */
  readonly regression80: number;
  /** Mean pairs the design takes with no change and at the detectable change (normal replays). */
  readonly meanPairs: { readonly noChange: number; readonly atMde: number };
  readonly regressionThreshold: number;
}

export interface ThroughputMdeResult {
  readonly binary: string;
  readonly before: BeforeFigures | null;
  readonly after: AfterFigures;
  /** The headline: after's detectable change as a size (positive), the larger (more cautious) of its two replays. */
  readonly mde80: number;
}

function pooledSigma(base: readonly number[], head: readonly number[]): number {
  let squares = 0;
  for (const side of [base, head]) {
    const logs = side.map(Math.log);
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    for (const x of logs) squares += (x - mean) ** 2;
  }
  return Math.sqrt(squares / Math.max(1, base.length + head.length - 2));
}

/**
 * Upper ends (in ln) of the rank interval for A/A samples of n + n runs with unit spread, sorted. The
 * interval of ln ratios is shift-equivariant (a true change δ moves every pairwise difference by δ)
 * and scales with sigma, so for samples of spread sigma and a true change δ the upper end is
 * δ + sigma·V with V drawn from this list: the power to see δ is the share of V below −δ/sigma.
 */
function unitUpperEnds(n: number, confidence: number, simulations: number): number[] {
  const random = iterationRandom(2024, n);
  // Box–Muller: two uniforms give one standard normal.
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const ends: number[] = [];
  for (let s = 0; s < simulations; s++) {
    const base = Array.from({ length: n }, () => Math.exp(normal()));
    const head = Array.from({ length: n }, () => Math.exp(normal()));
    const upper = relativeChange(base, head, confidence)?.upper;
    ends.push(upper == null ? Number.POSITIVE_INFINITY : Math.log1p(upper));
  }
  return ends.sort((a, b) => a - b);
}

const quantile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;

/** The design before: 5 + 5 unpaired runs of 5 s (1 s quick), no warm-up cut, end.sum_received. */
async function measureBefore(
  workload: ThroughputWorkload,
  binary: string,
  options: ThroughputMdeOptions,
  log: (line: string) => void,
): Promise<BeforeFigures> {
  const runs = 5;
  const seconds = options.quick ? 1 : 5;
  let done = 0;
  const samples = await interleavedThroughput({
    base: binary,
    head: binary,
    runs,
    definition: { ...workload, seconds, warmup: 0 },
    ...(options.signal ? { signal: options.signal } : {}),
    onRun: () => log(`  throughput-mde before: run ${++done} of ${2 * runs}`),
  });
  const base = samples.base.map((r) => r.bitsPerSecondReceived);
  const head = samples.head.map((r) => r.bitsPerSecondReceived);
  const confidence = defaultThresholds.throughput.confidence;
  const sigma = pooledSigma(base, head);
  const ratios = head.flatMap((h) => base.map((b) => h / b - 1)).sort((a, b) => a - b);
  const aa = relativeChange(base, head, confidence);
  const ranks = shiftIntervalRanks(base.length, head.length, confidence);
  const simulations = Math.max(500, Math.min(20_000, options.simulations ?? 20_000));
  const n = base.length;
  const ends = unitUpperEnds(n, confidence, simulations);
  const c80 = quantile(ends, 0.8);
  const c50 = quantile(ends, 0.5);
  const zAchieved = normalQuantile(1 - (1 - (ranks?.achievedConfidence ?? confidence)) / 2, 0, 1);
  const z80 = normalQuantile(0.8, 0, 1);
  return {
    runs: n,
    streams: workload.streams,
    seconds,
    confidence,
    base,
    head,
    sigma,
    pairwiseRange: [ratios[0] ?? 0, ratios[ratios.length - 1] ?? 0],
    aa: { estimate: aa?.estimate ?? 0, lower: aa?.lower ?? null, upper: aa?.upper ?? null },
    ranks: ranks ? { lower: ranks.lower, upper: ranks.upper, achieved: ranks.achievedConfidence } : null,
    simulations,
    unitQuantiles: { p80: c80, p50: c50 },
    // A slowdown δ (ln) is seen when δ + sigma·V < 0.
    mde80: Math.expm1(-sigma * c80),
    mde50: Math.expm1(-sigma * c50),
    normalApprox80: Math.expm1(-(zAchieved + z80) * sigma * Math.sqrt((Math.PI / 3) * (2 / n))),
  };
}

const sd = (xs: readonly number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
};
const med = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length / 2;
  return s.length % 2 === 1 ? (s[Math.floor(m)] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

interface Replay {
  /** Share of replays whose final interval lies wholly below 0 / below −threshold. */
  readonly seen: number;
  readonly regression: number;
  readonly meanPairs: number;
}

/** Replays validate's design `simulations` times on pair differences from `draw` (seeded per call). */
function replay(
  draw: (random: () => number) => DrawPair,
  budget: number,
  simulations: number,
  seed: number,
): Replay {
  const t = defaultThresholds.throughput;
  const pairs = draw(iterationRandom(seed, budget));
  let seen = 0;
  let regression = 0;
  let total = 0;
  for (let s = 0; s < simulations; s++) {
    const row = simulateThroughputRow(pairs, budget, t);
    if (row.upper !== null && row.upper < 0) seen++;
    if (row.verdict === 'regression') regression++;
    total += row.pairs;
  }
  return { seen: seen / simulations, regression: regression / simulations, meanPairs: total / simulations };
}

/**
 * Smallest slowdown (head/base − 1, negative) with `pick(replay) ≥ 0.8`, by bisection on ln(1 + δ)
 * over [−50%, 0] in 10 steps (to 0.07% of ln). Every step replays with the same seed (common random numbers), so the power
 * rises with the slowdown and the bisection does not chase noise.
 */
function smallestSlowdown(
  make: (change: number) => (random: () => number) => DrawPair,
  pick: (r: Replay) => number,
  budget: number,
  simulations: number,
): { change: number; meanPairs: number } {
  let seenAt = Math.log(0.5);
  let notSeenAt = 0;
  let meanPairs = Number.NaN;
  for (let step = 0; step < 10; step++) {
    const mid = (seenAt + notSeenAt) / 2;
    const r = replay(make(Math.expm1(mid)), budget, simulations, 2026);
    if (pick(r) >= 0.8) {
      seenAt = mid;
      meanPairs = r.meanPairs;
    } else notSeenAt = mid;
  }
  return { change: Math.expm1(seenAt), meanPairs };
}

/** The design validate runs now, A/A, then its detectable change by replay. */
async function measureAfter(
  workload: ThroughputWorkload,
  binary: string,
  options: ThroughputMdeOptions,
  log: (line: string) => void,
): Promise<AfterFigures> {
  const t = defaultThresholds.throughput;
  const budget = workload.runs;
  const seconds = options.quick ? 1 : workload.seconds;
  const definition = { ...workload, seconds };
  const looks = lookSchedule(budget);
  const confidence = rowConfidence(t, 1);
  const row = { workload: workload.name, variant: 'plain' as const, budget };
  let done = 0;
  const samples = await interleavedThroughput({
    base: binary,
    head: binary,
    runs: budget,
    looks,
    settled: throughputStopRule(row, t),
    definition,
    ...(options.signal ? { signal: options.signal } : {}),
    onRun: () => log(`  throughput-mde after: run ${++done} (at most ${2 * budget})`),
  });
  const base = samples.base.map((r) => r.bitsPerSecond);
  const head = samples.head.map((r) => r.bitsPerSecond);
  const aa = throughputChange({ ...row, base, head }, confidence);
  const verdict = compareThroughput([{ ...row, base, head }], t).rows[0]?.verdict ?? 'inconclusive';
  const diffs = head.map((h, i) => Math.log(h / (base[i] as number)));
  const sigmaPair = sd(diffs);
  const centre = med(diffs);
  const sigmaPairRobust = 1.4826 * med(diffs.map((d) => Math.abs(d - centre)));
  const simulations = Math.max(200, Math.min(20_000, options.simulations ?? 2000));
  log(
    `  throughput-mde after: A/A ${base.length} + ${head.length} runs (${samples.stopped}), pair spread ${(sigmaPair * 100).toFixed(2)}% (robust ${(sigmaPairRobust * 100).toFixed(2)}%); replaying the design on it`,
  );
  const normal = smallestSlowdown(
    (change) => (random) => normalPairs(random, change, sigmaPair),
    (r) => r.seen,
    budget,
    simulations,
  );
  const resampled = smallestSlowdown(
    (change) => (random) => resampledPairs(random, change, diffs),
    (r) => r.seen,
    budget,
    Math.ceil(simulations / 2),
  );
  const regression = smallestSlowdown(
    (change) => (random) => normalPairs(random, change, sigmaPair),
    (r) => r.regression,
    budget,
    Math.ceil(simulations / 2),
  );
  const noChange = replay((random) => normalPairs(random, 0, sigmaPair), budget, simulations, 2026);
  return {
    budget,
    looks,
    lookConfidences: looks.map((n) => lookConfidence(budget, n, confidence)),
    streams: workload.streams,
    seconds,
    warmup: workload.warmup,
    pin: workload.pin,
    base,
    head,
    pairs: base.length,
    stopped: samples.stopped,
    aa: { estimate: aa?.estimate ?? 0, lower: aa?.lower ?? null, upper: aa?.upper ?? null },
    verdict,
    sigmaPair,
    sigmaPairRobust,
    sigmaRun: pooledSigma(base, head),
    simulations,
    mde80: { normal: normal.change, resampled: resampled.change },
    regression80: regression.change,
    meanPairs: { noChange: noChange.meanPairs, atMde: normal.meanPairs },
    regressionThreshold: t.regressionThreshold,
  };
}

export async function throughputMdeBench(options: ThroughputMdeOptions = {}): Promise<ThroughputMdeResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { workload } = await resolveWorkload('throughput');
  if (workload.kind !== 'throughput')
    throw new Error('workloads/throughput.yaml is not a throughput definition');
  const binary =
    options.binary ??
    (await build({}, ['plain'], options.signal ? { signal: options.signal } : {})).variants.plain.binary;
  const before = options.afterOnly ? null : await measureBefore(workload, binary, options, log);
  const after = await measureAfter(workload, binary, options, log);
  // The more cautious of the two replays: normal pairs may flatter heavy tails, resampling few pairs may flatter a lucky run.
  const mde80 = Math.max(-after.mde80.normal, -after.mde80.resampled);
  return { binary, before, after, mde80 };
}

const pct = (x: number | null) => (x === null ? 'none' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`);
const gbit = (xs: readonly number[]) => xs.map((x) => (x / 1e9).toFixed(2)).join(' ');

function formatBefore(r: BeforeFigures): string[] {
  const ranks = r.ranks
    ? `ranks ${r.ranks.lower} and ${r.ranks.upper} of the ${r.runs * r.runs} sorted pairwise log ratios, ${(r.ranks.achieved * 100).toFixed(1)}% coverage`
    : 'no interval at this size';
  return [
    `before (the old design: ${r.runs} + ${r.runs} runs of ${r.seconds} s, ${r.streams} streams, unpaired Mann–Whitney interval; ${2 * r.runs} runs taken)`,
    `  runs (Gbit/s received): base ${gbit(r.base)}; head ${gbit(r.head)}`,
    `  spread: sigma of ln(throughput) ${(r.sigma * 100).toFixed(2)}% per run (pooled); pairwise ratios ${pct(r.pairwiseRange[0])} to ${pct(r.pairwiseRange[1])}; A/A change ${pct(r.aa.estimate)}, ${(r.confidence * 100).toFixed(0)}% interval ${pct(r.aa.lower)} to ${pct(r.aa.upper)} (${ranks})`,
    `  smallest change detectable at ${(r.confidence * 100).toFixed(0)}% with 80% power: ${pct(r.mde80)} (${pct(r.mde50)} with 50%; c = ${r.unitQuantiles.p80.toFixed(2)}, ${r.simulations} seeded simulations of unit spread; normal-theory check ${pct(r.normalApprox80)})`,
  ];
}

function formatAfter(r: AfterFigures): string[] {
  const looks = r.looks
    .map((n, i) => `${n} (${((r.lookConfidences[i] as number) * 100).toFixed(2)}%)`)
    .join(', ');
  return [
    `after (validate's design: ABBA pairs of ${r.seconds} s runs after a ${r.warmup} s warm-up, ${r.streams} streams, pin ${r.pin}; paired signed-rank interval; looks at ${looks} pairs, budget ${r.budget} + ${r.budget} runs)`,
    `  A/A run: ${r.pairs} + ${r.pairs} runs taken (${r.stopped === 'settled' ? 'stopped at a look: the interval cleared the thresholds' : 'the whole budget'}); change ${pct(r.aa.estimate)}, interval ${pct(r.aa.lower)} to ${pct(r.aa.upper)}; verdict ${r.verdict}`,
    `  runs (Gbit/s after warm-up): base ${gbit(r.base)}; head ${gbit(r.head)}`,
    `  spread: sigma of a pair's ln(head/base) ${(r.sigmaPair * 100).toFixed(2)}% (robust ${(r.sigmaPairRobust * 100).toFixed(2)}%); of a single run ${(r.sigmaRun * 100).toFixed(2)}% (pooled)`,
    `  smallest change detectable at 95% with 80% power: ${pct(Math.min(r.mde80.normal, r.mde80.resampled))} (replays of the design, ${r.simulations} per step (half for the resampled one): normal pairs of that sigma ${pct(r.mde80.normal)}, the measured pairs resampled ${pct(r.mde80.resampled)}); mean runs taken ${r.meanPairs.noChange.toFixed(1)} + ${r.meanPairs.noChange.toFixed(1)} with no change, ${r.meanPairs.atMde.toFixed(1)} + ${r.meanPairs.atMde.toFixed(1)} at that change`,
    `  smallest slowdown called a regression (whole interval below -${(r.regressionThreshold * 100).toFixed(0)}%) in 80% of replays: ${pct(r.regression80)}`,
  ];
}

export function formatThroughputMde(r: ThroughputMdeResult): string {
  const head = r.before
    ? `Smallest throughput change detectable at 95% with 80% power: before ${pct(r.before.mde80)} (${2 * r.before.runs} runs), after ${pct(-r.mde80)} (${2 * r.after.pairs} runs this time, at most ${2 * r.after.budget}); base against itself: ${r.binary} as both sides`
    : `Smallest throughput change detectable at 95% with 80% power: ${pct(-r.mde80)} (${2 * r.after.pairs} runs this time, at most ${2 * r.after.budget}); base against itself: ${r.binary} as both sides`;
  return [head, ...(r.before ? formatBefore(r.before) : []), ...formatAfter(r.after)].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--binary');
  const binary = i >= 0 ? process.argv[i + 1] : undefined;
  const result = await throughputMdeBench({
    quick: process.argv.includes('--quick'),
    afterOnly: process.argv.includes('--after-only'),
    ...(binary ? { binary } : {}),
  });
  process.stdout.write(`${formatThroughputMde(result)}\n`);
}
