// The sequential throughput design replayed on drawn figures (statistics only: real runs are never
// simulated in a test of processes): the looks, the stopping rule and the verdict are the
// pipeline's own functions, so a simulation measures exactly what validate decides.

import type { Verdict } from '../../src/compare/comparison.schema.js';
import type { ThroughputInput } from '../../src/compare/input.js';
import { compareThroughput, throughputStopRule } from '../../src/compare/throughput/compare-throughput.js';
import { lookSchedule } from '../../src/compare/throughput/looks.js';
import type { ThroughputThresholds } from '../../src/config/thresholds.schema.js';
import type { Random } from '../../src/storm/prng.js';

/** Draws ln(head / base) of one pair of runs. */
export type DrawPair = () => number;

export interface SimulatedRow {
  readonly pairs: number;
  readonly verdict: Verdict;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly stopped: 'settled' | 'budget';
}

/** One throughput row of a sequential design with `budget` pairs, figures drawn pair by pair. */
export function simulateThroughputRow(draw: DrawPair, budget: number, t: ThroughputThresholds): SimulatedRow {
  const looks = lookSchedule(budget);
  const row = { workload: 'sim', variant: 'plain' as const, budget };
  const settled = throughputStopRule(row, t);
  const base: number[] = [];
  const head: number[] = [];
  const input = (): ThroughputInput => ({ ...row, base, head });
  let stopped: SimulatedRow['stopped'] = 'budget';
  for (let pair = 1; pair <= budget; pair++) {
    // Base at 1, head at exp(d): only the ratio enters the paired interval.
    base.push(1);
    head.push(Math.exp(draw()));
    if (pair < budget && looks.includes(pair) && settled({ base, head })) {
      stopped = 'settled';
      break;
    }
  }
  const compared = compareThroughput([input()], t).rows[0];
  if (!compared) throw new Error('compareThroughput returned no row');
  return {
    pairs: base.length,
    verdict: compared.verdict,
    lower: compared.change?.lower ?? null,
    upper: compared.change?.upper ?? null,
    stopped,
  };
}

/** Standard normal by Box–Muller from a seeded uniform source. */
export function normalFrom(random: Random): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Pair differences ln(1 + change) + sigma·Z. */
export function normalPairs(random: Random, change: number, sigma: number): DrawPair {
  const z = normalFrom(random);
  const shift = Math.log1p(change);
  return () => shift + sigma * z();
}

/**
 * Heavy-tailed pair differences: sigma·Z, but one pair in ten has a neighbour's burst on one of
 * its runs, adding ±5·sigma (the sign as the order of the pair would give it).
 */
export function contaminatedPairs(random: Random, change: number, sigma: number): DrawPair {
  const z = normalFrom(random);
  const shift = Math.log1p(change);
  return () => shift + sigma * z() + (random() < 0.1 ? (random() < 0.5 ? -5 : 5) * sigma : 0);
}

/** Pair differences resampled from observed ones, centred on their median and shifted by `change`. */
export function resampledPairs(random: Random, change: number, observed: readonly number[]): DrawPair {
  const sorted = [...observed].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const centre =
    sorted.length % 2 === 1
      ? (sorted[Math.floor(mid)] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  const shift = Math.log1p(change);
  return () => (observed[Math.floor(random() * observed.length)] as number) - centre + shift;
}
