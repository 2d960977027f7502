import { z } from 'zod';
import { VariantName, variantNames } from '../compile/variants.js';
import { Thresholds } from './thresholds.schema.js';

/**
 * `.github/sigstorm.yml`, the per-repository configuration of the GitHub App. This schema is the
 * single source of truth: defaults live here, schemas/sigstorm-config.schema.json is generated from
 * it (scripts/write-schemas.ts) and docs/github-app.md describes the same fields.
 */

/** Nobody may ask for more storm iterations per cell and side than this (config or slash command). */
export const maxIterations = 20_000;

export const configPath = '.github/sigstorm.yml';

const Iterations = z
  .number()
  .int()
  .min(1, { error: 'iterations must be at least 1' })
  .max(maxIterations, { error: `iterations may be at most ${maxIterations} (per cell and side)` });

/** A time budget (storms and throughput) in seconds, from 10 s up to `max`. */
const BudgetSeconds = (max: number) => z.number().int().min(10).max(max).optional();
const ThroughputRuns = z.number().int().min(0).max(100).optional();

export const checkConclusions = ['success', 'failure', 'neutral'] as const;
const Conclusion = z.enum(checkConclusions);

function verdictPolicy(regression: 'failure' | 'neutral') {
  return z
    .object({
      regression: Conclusion.default(regression).describe('conclusion when head is worse than base'),
      improvement: Conclusion.default('success').describe('conclusion when head is better than base'),
      neutral: Conclusion.default('success').describe('conclusion when no difference is detected'),
      inconclusive: Conclusion.default('neutral').describe('conclusion when there is too little evidence'),
    })
    .strict();
}

export const VerdictPolicy = verdictPolicy('failure');

/** When the pull request's report comment is written; the check run carries the report every time. */
export const commentWhen = ['always', 'not-neutral', 'never'] as const;
export type CommentWhen = (typeof commentWhen)[number];

/** The caller workflow the App dispatches when `executor.workflow` is not set (docs/github-actions.md has its text). */
export const defaultActionsWorkflow = 'sigstorm-shards.yml';

/** Shards of one validation on Actions: a matrix runs at most 256 jobs per workflow run. */
export const maxActionsShards = 256;

/**
 * Where a pull request's storms run: on the App's own host, one validation at a time (`local`), or
 * dispatched to GitHub Actions as a sharded workflow run that the App follows and merges (`actions`).
 */
export const ExecutorConfig = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('local') }).strict(),
    z
      .object({
        kind: z.literal('actions'),
        workflow: z
          .string()
          .regex(/^[\w.-]+\.ya?ml$/, {
            error: 'workflow must be a file name in .github/workflows/, like sigstorm-shards.yml',
          })
          .default(defaultActionsWorkflow)
          .describe(
            `the workflow_dispatch workflow in .github/workflows/ that calls sigstorm's reusable validate.yml (default ${defaultActionsWorkflow})`,
          ),
        runsOn: z
          .array(z.string().min(1))
          .min(1)
          .default(['ubuntu-24.04'])
          .describe('runner labels of every shard job (self-hosted labels work); default [ubuntu-24.04]'),
        shards: z
          .number()
          .int()
          .min(1)
          .max(maxActionsShards, {
            error: `shards may be at most ${maxActionsShards} (a matrix's job limit)`,
          })
          .default(4)
          .describe('runners one validation is split over (1-256); default 4'),
      })
      .strict(),
  ])
  .describe(
    'where pull requests are validated: local (the App host, default) or actions (GitHub Actions shards)',
  );
export type ExecutorConfig = z.output<typeof ExecutorConfig>;

export const RepoConfig = z
  .object({
    workloads: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('workload names (from workloads/) run on pull requests; default: the default set'),
    variants: z
      .array(VariantName)
      .min(1)
      .optional()
      .describe(`builds to storm on pull requests (${variantNames.join(', ')}); default: the pr profile's`),
    iterations: Iterations.optional().describe(
      `iteration cap per cell and side on pull requests (at most ${maxIterations}); default: the pr profile's`,
    ),
    budgetSeconds: BudgetSeconds(6 * 3600).describe(
      "time budget of a pull-request run, storms and throughput together (builds aside); open cells stop with what they have; default: the pr profile's",
    ),
    throughputRuns: ThroughputRuns.describe(
      "throughput runs per side at most on pull requests (the budget; runs stop early once the interval clears the thresholds; 0 skips throughput); default: the throughput workload's",
    ),
    thresholds: Thresholds.describe('verdict thresholds (docs/statistics.md); default: the built-in ones'),
    policy: z
      .object({
        stability: VerdictPolicy.prefault({}).describe('check conclusion per stability verdict'),
        throughput: VerdictPolicy.prefault({}).describe('check conclusion per throughput verdict'),
      })
      .strict()
      .prefault({})
      .describe('how verdicts become the check conclusion; the worst of the two wins'),
    comment: z
      .enum(commentWhen)
      .default('always')
      .describe(
        'when the report comment is written on the pull request: always; not-neutral (only when a verdict is not neutral; throughput that was not measured counts as neutral; a comment already there is still kept up to date); never. The check run always carries the report',
      ),
    executor: ExecutorConfig.prefault({ kind: 'local' }),
    release: z
      .object({
        tags: z
          .array(z.string().min(1))
          .default(['v*', '3.*'])
          .describe('tag patterns (* matches anything) whose push runs the release gate'),
        workloads: z.array(z.string().min(1)).min(1).optional().describe('default: the default set'),
        variants: z
          .array(VariantName)
          .min(1)
          .default([...variantNames])
          .describe('builds stormed for a release; default: every variant'),
        iterations: Iterations.optional().describe(
          "iteration cap per cell and side; default: the release profile's",
        ),
        budgetSeconds: BudgetSeconds(24 * 3600).describe(
          "time budget of a release run, storms and throughput together; default: the release profile's",
        ),
        throughputRuns: ThroughputRuns.describe(
          "throughput runs per side at most for a release (the budget); default: the throughput workload's",
        ),
      })
      .strict()
      .prefault({})
      .describe('the release gate: release profile, tag against the previous release tag'),
  })
  .strict()
  .describe('sigstorm GitHub App configuration (.github/sigstorm.yml)');

export type RepoConfig = z.output<typeof RepoConfig>;
export type RepoConfigInput = z.input<typeof RepoConfig>;
export type CheckConclusion = (typeof checkConclusions)[number];
