import type { Verdicts } from '../../compare/comparison.schema.js';
import type { VariantName } from '../../compile/variants.js';
import type { ThresholdsInput } from '../../config/thresholds.schema.js';
import type { Report } from '../../report/report.schema.js';
import type { SandboxMode } from '../../sandbox/sandbox.schema.js';

/**
 * The one pipeline both front ends call: the CLI (`sigstorm validate`) and the GitHub App.
 * The app never re-implements any step; it builds a request and calls `Validate`.
 */
export interface TreeRequest {
  /** Local path or git URL; absent: the bundled test subject. */
  readonly repo?: string;
  /** Git ref (branch, tag, commit); absent: the repository's HEAD. */
  readonly ref?: string;
  /** Patch files applied in order on top of `ref`. */
  readonly patches?: readonly string[];
  /**
   * How reports name the repository to other people (repro lines): e.g. the clone URL when `repo`
   * is a local mirror; absent: derived from `repo` (its URL without credentials, or its origin remote).
   */
  readonly publicRepo?: string;
}

export interface ValidateRequest {
  readonly base: TreeRequest;
  readonly head: TreeRequest;
  /** Workload names (from workloads/ or the repository's config); absent: the default set. */
  readonly workloads?: readonly string[];
  readonly variants?: readonly VariantName[];
  /** Iteration cap per cell and side; absent: the profile's default. */
  readonly iterations?: number;
  /** `pr`: fast, sequential stopping; `release`: more iterations, every variant. */
  readonly profile?: 'pr' | 'release';
  /** Where to write report.json / report.md / iterations/; absent: a fresh dir under the cache. */
  readonly outDir?: string;
  /** Verdict thresholds (the repository config's `thresholds`); absent: the defaults. */
  readonly thresholds?: ThresholdsInput;
  /** Storm time budget in seconds; cells still open when it runs out stop with what they have. */
  readonly budgetSeconds?: number;
  /** Stop every cell once one settles as a regression (the stability verdict cannot change). */
  readonly failFast?: boolean;
  /** Seed of every random choice; absent: derived from the base tree, so base results can be reused. */
  readonly seed?: number;
  /** Storm lanes and CPUs (as for `sigstorm storm`); absent: as many lanes as the cores allow. */
  readonly lanes?: number;
  readonly cpus?: string;
  /** Throughput runs per side; absent: the throughput workload's. 0 skips throughput. */
  readonly throughputRuns?: number;
  /** Where the trees' code runs; absent: a bubblewrap sandbox with the default limits. */
  readonly sandbox?: SandboxMode;
}

export type ValidatePhase = 'build' | 'storm' | 'throughput' | 'report';

export interface ValidateProgress {
  readonly phase: ValidatePhase;
  readonly message: string;
  readonly iterationsDone: number;
  readonly iterationsTotal: number;
  readonly cellsDone: number;
  readonly cellsTotal: number;
  /**
   * A line worth keeping (the budget plan, a cut throughput budget): a display prints it on a line
   * of its own instead of redrawing it away or dropping it between its periodic lines.
   */
  readonly notice?: boolean;
  /**
   * The whole validation's expected time left, ms (builds aside): from the look plan and the
   * throughput pairs at their measured (else estimated) rates, updated as it goes.
   */
  readonly expectedLeftMs?: number;
}

export interface ValidateResult {
  readonly verdict: Verdicts;
  /** One line, the report's headline. */
  readonly headline: string;
  /** The GitHub-flavoured Markdown report (starts with the hidden marker). */
  readonly markdown: string;
  /** The JSON report (validated by the report schema), as written to `outDir`. */
  readonly report: Report;
  readonly outDir: string;
}

export interface ValidateOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ValidateProgress) => void;
}

export type Validate = (request: ValidateRequest, options?: ValidateOptions) => Promise<ValidateResult>;
