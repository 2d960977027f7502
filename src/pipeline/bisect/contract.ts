import type { VariantName } from '../../compile/variants.js';
import type { BisectResult } from '../../report/bisect/bisect-result.schema.js';
import type { SandboxMode } from '../../sandbox/sandbox.schema.js';
import type { TreeRequest, ValidateProgress } from '../request/contract.js';

/** Where the regression came in: a patch series on a base tree, or the commits between two refs. */
export type BisectSeries =
  | {
      readonly kind: 'patches';
      /** The good point: a tree (repo, ref, base patches); candidate i adds the first i of `patches`. */
      readonly good: TreeRequest;
      readonly patches: readonly string[];
    }
  | {
      readonly kind: 'commits';
      readonly repo: string;
      readonly good: string;
      readonly bad: string;
      /** Applied to every commit (and the good one) alike. */
      readonly patches?: readonly string[];
    };

export interface BisectRequest {
  readonly series: BisectSeries;
  /** The cells that regressed: every workload × variant given. */
  readonly workloads: readonly string[];
  readonly variants: readonly VariantName[];
  /** The rise each variant's failure rate showed (from a report): the steps are designed for half of it. */
  readonly observedRise?: Partial<Record<VariantName, number>>;
  /** The failure-rate rise a step tells apart from none; absent: half the observed rise (at least the thresholds'). */
  readonly tolerance?: number;
  /** Error rates of the whole bisection (default 0.05 each), split over its steps. */
  readonly alpha?: number;
  readonly beta?: number;
  /** Retests of an inconclusive step, each with twice the iterations (default 2). */
  readonly retests?: number;
  /** No step decides with fewer iterations per cell and side (default 10). */
  readonly minIterations?: number;
  /** Storm time of the whole bisection, seconds (default 1800). */
  readonly budgetSeconds?: number;
  readonly seed?: number;
  readonly lanes?: number;
  readonly cpus?: string;
  /** Where each step writes its iterations; absent: a fresh dir under the cache. */
  readonly outDir?: string;
  readonly sandbox?: SandboxMode;
}

export interface BisectOptions {
  readonly signal?: AbortSignal;
  /** One line per step started and decided. */
  readonly onStep?: (line: string) => void;
  /** The storms and builds of a step, as a validation reports them. */
  readonly onProgress?: (progress: ValidateProgress) => void;
}

export type Bisect = (request: BisectRequest, options?: BisectOptions) => Promise<BisectResult>;
