import { z } from 'zod';
import { stepVerdicts } from '../../compare/bisect/step-verdict.js';
import { VariantName } from '../../compile/variants.js';

/**
 * The result of `sigstorm bisect` (docs/bisect.md): which candidate (patch prefix or commit) first
 * shows the regression, every step's counts and decision, and how sure the answer is.
 * schemas/bisect-result.schema.json is generated from this schema.
 */

const Count = z.number().int().nonnegative();
const Probability = z.number().min(0).max(1);

export const BisectCandidate = z
  .object({
    index: Count.describe(
      '0 is the good point; i is the good point with the first i patches (or the i-th commit after it)',
    ),
    name: z
      .string()
      .describe('the patch file name or the commit (short id and subject); the good point for 0'),
  })
  .strict();

const SideCounts = z.object({ iterations: Count, failures: Count }).strict();

export const BisectStepCell = z
  .object({
    workload: z.string(),
    variant: VariantName,
    base: SideCounts.describe('the good point'),
    head: SideCounts.describe('the candidate'),
    decision: z.string().describe("the sequential test's stop reason, or open"),
    evidence: z.string().describe('one sentence: what the decision rests on'),
  })
  .strict();

export const BisectStep = z
  .object({
    role: z
      .enum(['bad-point', 'probe', 'isolation'])
      .describe(
        'bad-point: the bad end against the good one; probe: a search step; isolation: the culprit alone on the good point',
      ),
    candidate: BisectCandidate,
    attempts: z
      .number()
      .int()
      .min(1)
      .describe('1 + retests, each going on with the same sequence to twice the cap'),
    cap: z.number().int().min(1).describe('iterations per cell and side the last attempt allowed'),
    verdict: z.enum(stepVerdicts),
    cells: z.array(BisectStepCell),
    iterationsRun: Count.describe('iterations stormed by this step (cached ones not counted)'),
    iterationsReused: Count.describe('iterations taken from the results caches'),
    stormSeconds: z.number().nonnegative(),
  })
  .strict();

export const BisectAnswer = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('first-bad'),
        index: z.number().int().min(1),
        name: z.string(),
        alone: z
          .enum(['bad', 'does-not-apply', 'not-tried', 'undecided'])
          .describe(
            'its change alone on the good point: bad too; cannot be tried (its patch needs the earlier ones to apply); not tried (a commit, or the first patch); undecided (its step stayed inconclusive: the first bad prefix stands)',
          ),
        certainty: Probability.describe('1 − the bound on the probability that the answer is wrong'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('no-single-culprit'),
        index: z.number().int().min(1).describe('the first candidate with the regression'),
        name: z.string(),
        why: z.string(),
        certainty: Probability,
      })
      .strict(),
    z
      .object({
        kind: z.literal('no-regression'),
        why: z.string(),
        certainty: Probability,
      })
      .strict(),
    z
      .object({
        kind: z.literal('undecided-within-budget'),
        range: z
          .object({ good: Count, bad: Count })
          .strict()
          .describe('the first bad candidate is after good and at most bad, as far as was shown'),
        why: z.string(),
      })
      .strict(),
  ])
  .describe('never a guess: a named culprit only when every step on its way was decided');

export const BisectResult = z
  .object({
    schemaVersion: z.literal(1),
    generatedAt: z.string().describe('ISO 8601'),
    headline: z.string(),
    answer: BisectAnswer,
    candidates: z.array(BisectCandidate).describe('0 … n, the good point first and the bad point last'),
    cells: z.array(z.object({ workload: z.string(), variant: VariantName }).strict()),
    design: z
      .object({
        alpha: Probability.describe('false-alarm rate of the whole bisection'),
        beta: Probability.describe('miss rate of the whole bisection at the designed effect'),
        steps: z
          .number()
          .int()
          .min(1)
          .describe('most steps it can take; each gets alpha / steps and beta / steps'),
        perStep: z.object({ alpha: Probability, beta: Probability }).strict(),
        tolerance: z
          .record(z.string(), Probability)
          .describe('per variant: the failure-rate rise a step tells apart from none'),
        retests: Count.describe('most retests of an inconclusive step'),
        seed: Count.nullable().describe('null: derived from the good tree, as validate derives it from base'),
      })
      .strict(),
    steps: z.array(BisectStep),
    totals: z
      .object({ iterationsRun: Count, iterationsReused: Count, stormSeconds: z.number().nonnegative() })
      .strict(),
  })
  .strict();

export type BisectResult = z.output<typeof BisectResult>;
export type BisectAnswer = z.output<typeof BisectAnswer>;
export type BisectStep = z.output<typeof BisectStep>;
export type BisectCandidate = z.output<typeof BisectCandidate>;
