import type { NeutralDesign } from '../../compare/neutral/design.js';
import type { VariantName } from '../../compile/variants.js';

/**
 * What a validation runs when the request does not say. `pr` answers fast (a settled regression
 * ends the storms, a time budget bounds the rest); `release` is the gate before a tag ships.
 */
export interface Profile {
  readonly variants: readonly VariantName[];
  /** Workload set from workloads/sets.yaml. */
  readonly workloadSet: string;
  /** Storm time budget; open cells stop with what they have when it runs out. */
  readonly budgetSeconds: number;
  readonly failFast: boolean;
  /** Iterations per side in one batch of a cell (rounded up to a multiple of the lanes). */
  readonly batchSize: number;
  /**
   * What a neutral verdict shows (docs/statistics.md, "Neutral"): `pooled`, every cell within the
   * coarse cellTolerance and all cells pooled within the fine tolerance, reachable in minutes;
   * `per-cell`, every cell within the fine tolerance, the release gate's stronger statement.
   */
  readonly neutral: NeutralDesign;
}

export const profiles: Readonly<Record<'pr' | 'release', Profile>> = {
  pr: {
    variants: ['plain', 'asan'],
    workloadSet: 'default',
    budgetSeconds: 600,
    failFast: true,
    batchSize: 10,
    neutral: 'pooled',
  },
  release: {
    variants: ['plain', 'asan', 'tsan'],
    workloadSet: 'default',
    budgetSeconds: 3600,
    failFast: false,
    batchSize: 20,
    neutral: 'per-cell',
  },
};
