import { z } from 'zod';
import { VariantName, variantNames } from '../build/variants.js';
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
    budgetSeconds: z
      .number()
      .int()
      .min(10)
      .max(6 * 3600)
      .optional()
      .describe(
        "storm time budget of a pull-request run; open cells stop with what they have; default: the pr profile's",
      ),
    throughputRuns: z
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe(
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
        budgetSeconds: z
          .number()
          .int()
          .min(10)
          .max(24 * 3600)
          .optional()
          .describe("storm time budget of a release run; default: the release profile's"),
        throughputRuns: z
          .number()
          .int()
          .min(0)
          .max(100)
          .optional()
          .describe(
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
