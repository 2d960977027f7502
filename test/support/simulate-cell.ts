import binomial from '@stdlib/random-base-binomial';
import { advance, type BatchPair, initialState } from '../../src/compare/sequential/decide-cell.js';
import type { SequentialDecision } from '../../src/compare/sequential/decision.js';
import type { SequentialSettings } from '../../src/compare/sequential/settings.js';

/**
 * Simulation of the *statistics* only: draws failure counts at known rates to measure the
 * sequential test's error rates and sample sizes. It never stands in for a storm's outcomes.
 */
export type Draw = (n: number, p: number) => number;

/** A seeded binomial generator (Mersenne Twister under the hood): the same seed, the same runs. */
export function seededBinomial(seed: number): Draw {
  const draw = binomial.factory({ seed });
  return (n, p) => (p <= 0 ? 0 : p >= 1 ? n : draw(n, p));
}

export interface SimulatedCell {
  readonly decision: SequentialDecision;
  readonly batches: BatchPair[];
}

/** Runs batches at the given true failure rates until the sequential test stops. */
export function simulateCell(
  rates: { readonly base: number; readonly head: number },
  settings: SequentialSettings,
  draw: Draw,
  batchSize = 10,
): SimulatedCell {
  let state = initialState(settings);
  const batches: BatchPair[] = [];
  // The cap ends every run; the count guard only protects against a broken cap.
  for (let i = 0; state.decision.state === 'continue' && i < 1_000_000; i++) {
    const batch = {
      base: { n: batchSize, failures: draw(batchSize, rates.base) },
      head: { n: batchSize, failures: draw(batchSize, rates.head) },
    };
    batches.push(batch);
    state = advance(state, batch, settings);
  }
  return { decision: state.decision, batches };
}

/** Tallies of many simulated cells. */
export interface Tally {
  readonly runs: number;
  readonly reasons: Record<string, number>;
  /** Mean judged iterations per side at the stop. */
  readonly meanIterations: number;
  readonly maxIterations: number;
}

export function tally(
  runs: number,
  rates: { readonly base: number; readonly head: number },
  settings: SequentialSettings,
  draw: Draw,
): Tally {
  const reasons: Record<string, number> = {};
  let sum = 0;
  let max = 0;
  for (let i = 0; i < runs; i++) {
    const { decision } = simulateCell(rates, settings, draw);
    const key = decision.reason ?? 'open';
    reasons[key] = (reasons[key] ?? 0) + 1;
    sum += decision.iterations.head;
    max = Math.max(max, decision.iterations.head);
  }
  return { runs, reasons, meanIterations: sum / runs, maxIterations: max };
}
