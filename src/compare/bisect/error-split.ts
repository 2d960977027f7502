import { certificateIterations } from '../sequential/certificate.js';

/**
 * How a bisection spends its error rates (docs/bisect.md). The answer is wrong only if one of its
 * steps decided wrong; a step is one sequential test (its retests go on with the same sequence, so
 * they spend nothing more: the test's bounds hold however late it stops). With `steps` tests at
 * most, each gets alpha / steps against "bad" when the candidate is good and beta / steps against
 * "good" when it is bad (at the designed effect), and by the union bound the answer is wrong with
 * probability at most the sum over the steps taken of the larger of the two.
 */
export interface ErrorSplit {
  /** Most steps the bisection can take: the bad point, ⌈log2 n⌉ probes, the isolation check. */
  readonly steps: number;
  readonly perStep: { readonly alpha: number; readonly beta: number };
}

/** Steps of a bisection over `n` candidates (candidate n is the bad point, 0 the good one). */
export function bisectSteps(n: number, isolation: boolean): number {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`bisectSteps: need n ≥ 1, got ${n}`);
  // The bad point against the good one, then a binary search over n − 1 inner candidates: at most
  // ⌈log2 n⌉ probes leave one; a patch series then tries the culprit alone on the good point.
  return 1 + Math.ceil(Math.log2(n)) + (isolation && n > 1 ? 1 : 0);
}

export function splitErrors(alpha: number, beta: number, steps: number): ErrorSplit {
  return { steps, perStep: { alpha: alpha / steps, beta: beta / steps } };
}

/** Certainty of an answer reached through `stepsTaken` decided steps: 1 − Σ max(α, β) per step. */
export function certaintyAfter(split: ErrorSplit, stepsTaken: number): number {
  return 1 - stepsTaken * Math.max(split.perStep.alpha, split.perStep.beta);
}

/**
 * The designed effect of the steps: the smallest failure-rate rise a step must tell apart from
 * none. Half the rise the regression shows (a candidate with the culprit shows all of it), never
 * below the thresholds' tolerance nor above 0.5.
 */
export function designedTolerance(observedRise: number | null, floor: number, share = 0.5): number {
  if (observedRise === null || !(observedRise > 0)) return floor;
  return Math.min(0.5, Math.max(floor, observedRise * share));
}

/**
 * The first iteration cap of a step: twice the clean run that shows the tolerance bound at the
 * step's beta (a good candidate's shortest way to "good"), at least `minimum`. Each retest doubles it.
 */
export function firstCap(tolerance: number, beta: number, minimum: number): number {
  return Math.max(minimum, 2 * certificateIterations(tolerance, beta));
}
