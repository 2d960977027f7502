import type { VariantName } from '../../compile/variants.js';
import type { Thresholds } from '../../config/thresholds.schema.js';

/** What the sequential test of one cell needs; `sequentialSettings` derives it from the config. */
export interface SequentialSettings {
  /** False-alarm rate of the whole family of cells; each cell's sequential test gets 3/4 of alpha / familySize. */
  readonly alpha: number;
  /** Miss rate per cell at the designed effect. */
  readonly beta: number;
  /** Designed effect: head's odds of failing this many times base's. */
  readonly oddsRatio: number;
  /** Designed effect near 0 (and 1): an absolute rise of the failure rate. */
  readonly tolerance: number;
  readonly minIterationsPerSide: number;
  /** The cap: a cell still open when both sides reach it stops with reason `cap`. */
  readonly maxIterationsPerSide: number;
  /** How many cells are compared together (Bonferroni split of alpha). */
  readonly familySize: number;
}

/**
 * Settings for one cell. `familySize` is the number of cells in the comparison; `cap` overrides the
 * per-variant cap of the config (e.g. `--iterations`).
 */
export function sequentialSettings(
  thresholds: Thresholds,
  variant: VariantName,
  familySize: number,
  cap?: number,
): SequentialSettings {
  const s = thresholds.stability;
  if (!(Number.isInteger(familySize) && familySize >= 1)) {
    throw new RangeError(`sequentialSettings: familySize must be a positive integer, got ${familySize}`);
  }
  return {
    alpha: s.alpha,
    beta: s.beta,
    oddsRatio: s.oddsRatio,
    tolerance: s.tolerance[variant],
    minIterationsPerSide: s.minIterationsPerSide,
    maxIterationsPerSide: cap ?? s.maxIterationsPerSide[variant],
    familySize,
  };
}

/**
 * Share of alpha kept for the fixed test of a cell that reaches the cap undecided (Fisher + Holm);
 * the sequential test spends the rest. The two can both alarm only on different runs, so together
 * they stay within alpha.
 */
export const truncationAlphaShare = 0.25;

/** The two boundaries of the log-likelihood ratio (Ville's inequality makes both exact bounds). */
export function llrBounds(settings: SequentialSettings): { upper: number; lower: number } {
  const perCell = (settings.alpha * (1 - truncationAlphaShare)) / settings.familySize;
  return { upper: -Math.log(perCell), lower: Math.log(settings.beta) };
}
