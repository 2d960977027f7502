// The smallest throughput change detectable at 95% with the default number of runs, from the measured
// run-to-run spread: base against itself (the same binary as both sides, interleaved ABBA as validate
// does), then the rank interval sigstorm reports, applied to simulated samples with that spread.
// Run: npx tsx bench/throughput-mde.ts [--quick] [--binary PATH]. bench/run.ts calls throughputMdeBench().
import { pathToFileURL } from 'node:url';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { build } from '../src/build/build-tree.js';
import { relativeChange } from '../src/compare/stats/hodges-lehmann.js';
import { shiftIntervalRanks } from '../src/compare/stats/rank-sum-distribution.js';
import { defaultThresholds } from '../src/config/thresholds.schema.js';
import { iterationRandom } from '../src/storm/prng.js';
import { interleavedThroughput } from '../src/throughput/interleave.js';
import { resolveWorkload } from '../src/workload/load.js';

export interface ThroughputMdeOptions {
  /** Short version: 1-second runs instead of the definition's. */
  readonly quick?: boolean;
  /** Binary measured as both sides; default the bundled subject's plain build (what validate measures). */
  readonly binary?: string;
  /** Simulated unit-spread n + n samples behind the power (default 20000). */
  readonly simulations?: number;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface ThroughputMdeResult {
  readonly binary: string;
  readonly runs: number;
  readonly streams: number;
  readonly seconds: number;
  readonly confidence: number;
  /** Received bit/s of every run, per side. */
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
  /** Smallest slowdown the report calls a regression (whole interval below −3%) in 80% of simulations. */
  readonly regression80: number;
  /** Normal-theory check: (z_{achieved} + z_0.8)·σ·√(π/3·(1/n + 1/m)), as a relative change. */
  readonly normalApprox80: number;
  readonly regressionThreshold: number;
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

export async function throughputMdeBench(options: ThroughputMdeOptions = {}): Promise<ThroughputMdeResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { workload } = await resolveWorkload('throughput');
  if (workload.kind !== 'throughput')
    throw new Error('workloads/throughput.yaml is not a throughput definition');
  // The default: the bundled definition's runs per side (5, the minimum for a 95% interval).
  const runs = workload.runs;
  const seconds = options.quick ? 1 : workload.seconds;
  const binary =
    options.binary ??
    (await build({}, ['plain'], options.signal ? { signal: options.signal } : {})).variants.plain.binary;
  let done = 0;
  const samples = await interleavedThroughput({
    base: binary,
    head: binary,
    runs,
    definition: { ...workload, seconds },
    ...(options.signal ? { signal: options.signal } : {}),
    onRun: () => log(`  throughput-mde: run ${++done} of ${2 * runs}`),
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
  const threshold = defaultThresholds.throughput.regressionThreshold;
  const ends = unitUpperEnds(n, confidence, simulations);
  const c80 = quantile(ends, 0.8);
  const c50 = quantile(ends, 0.5);
  const zAchieved = normalQuantile(1 - (1 - (ranks?.achievedConfidence ?? confidence)) / 2, 0, 1);
  const z80 = normalQuantile(0.8, 0, 1);
  return {
    binary,
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
    // A slowdown δ (ln) is seen when δ + sigma·V < 0, called a regression when below ln(1 − threshold).
    mde80: Math.expm1(-sigma * c80),
    mde50: Math.expm1(-sigma * c50),
    regression80: Math.expm1(Math.log1p(-threshold) - sigma * c80),
    normalApprox80: Math.expm1(-(zAchieved + z80) * sigma * Math.sqrt((Math.PI / 3) * (2 / n))),
    regressionThreshold: threshold,
  };
}

export function formatThroughputMde(r: ThroughputMdeResult): string {
  const pct = (x: number | null) => (x === null ? 'none' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`);
  const gbit = (xs: readonly number[]) => xs.map((x) => (x / 1e9).toFixed(2)).join(' ');
  const ranks = r.ranks
    ? `ranks ${r.ranks.lower} and ${r.ranks.upper} of the ${r.runs * r.runs} sorted pairwise log ratios, ${(r.ranks.achieved * 100).toFixed(1)}% coverage`
    : 'no interval at this size';
  return [
    `Smallest detectable throughput change (${r.runs} + ${r.runs} runs, the default; ${r.streams} streams, ${r.seconds} s each; base against itself: ${r.binary} as both sides, interleaved ABBA, pinned as validate does)`,
    `  runs (Gbit/s received): base ${gbit(r.base)}; head ${gbit(r.head)}`,
    `  run-to-run spread: sigma of ln(throughput) ${(r.sigma * 100).toFixed(2)}% (pooled over both sides); pairwise head/base ratios ${pct(r.pairwiseRange[0])} to ${pct(r.pairwiseRange[1])}; A/A change ${pct(r.aa.estimate)}, ${(r.confidence * 100).toFixed(0)}% interval ${pct(r.aa.lower)} to ${pct(r.aa.upper)} (${ranks})`,
    `  smallest change detectable at ${(r.confidence * 100).toFixed(0)}%: ${pct(r.mde80)} with 80% power (${pct(r.mde50)} with 50%) = exp(-c·sigma) - 1, c = ${r.unitQuantiles.p80.toFixed(2)} (${r.unitQuantiles.p50.toFixed(2)}): the 80th (50th) percentile of that interval's upper end in ln for ${r.runs} + ${r.runs} log-normal runs of unit spread (${r.simulations} seeded simulations; the interval of ln ratios moves with a true change and scales with sigma, so a slowdown is seen when it exceeds c·sigma); normal-theory check (z_${r.ranks ? (1 - (1 - r.ranks.achieved) / 2).toFixed(3) : '?'} + z_0.8)·sigma·sqrt(pi/3·(1/${r.runs} + 1/${r.runs})) gives ${pct(r.normalApprox80)}`,
    `  smallest slowdown called a regression (whole interval below -${(r.regressionThreshold * 100).toFixed(0)}%) in 80% of simulations: ${pct(r.regression80)}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--binary');
  const binary = i >= 0 ? process.argv[i + 1] : undefined;
  const result = await throughputMdeBench({
    quick: process.argv.includes('--quick'),
    ...(binary ? { binary } : {}),
  });
  process.stdout.write(`${formatThroughputMde(result)}\n`);
}
