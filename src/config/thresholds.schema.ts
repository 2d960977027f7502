import { z } from 'zod';
import { outcomeKinds } from '../classify/outcome.js';
import { type VariantName, variantNames } from '../compile/variants.js';

/**
 * The thresholds behind every verdict (docs/statistics.md explains each one). This schema is the
 * single source of truth: defaults live here; the repository config and the CLI embed it as is.
 */

const Probability = z.number().gt(0).lt(1);
const Share = z.number().min(0).max(1);

function perVariant(defaults: Record<VariantName, number>, value: z.ZodNumber, what: string) {
  const shape = Object.fromEntries(
    variantNames.map((variant) => [
      variant,
      value.default(defaults[variant]).describe(`${what} (${variant})`),
    ]),
  ) as Record<VariantName, z.ZodDefault<z.ZodNumber>>;
  return z.object(shape).strict().prefault({});
}

export const StabilityThresholds = z
  .object({
    alpha: Probability.default(0.05).describe(
      'false-alarm rate for "head is worse" (and "head is better") over all cells together',
    ),
    beta: Probability.default(0.05).describe(
      'miss rate per cell at the designed effect (oddsRatio or tolerance); also the certainty of a neutral bound',
    ),
    oddsRatio: z
      .number()
      .gt(1)
      .default(2)
      .describe("designed effect: head's odds of failing an iteration are this many times base's"),
    tolerance: perVariant(
      { plain: 0.005, asan: 0.01, tsan: 0.02 },
      z.number().gt(0).lt(1),
      'absolute failure-rate rise too small to be worth detecting: the bound a neutral verdict proves',
    ).describe('per variant: a neutral cell shows that head fails at most this much more often than base'),
    cellTolerance: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.1)
      .describe(
        'coarse tolerance per cell of the pooled neutral statement (the pr profile): a neutral cell shows head fails at most this much more often than base, while the cells pooled show the fine tolerance',
      ),
    minIterationsPerSide: z
      .number()
      .int()
      .min(1)
      .default(20)
      .describe('no verdict for a cell with fewer judged iterations on either side'),
    maxIterationsPerSide: perVariant(
      { plain: 2000, asan: 1000, tsan: 300 },
      z.number().int().min(1),
      'iteration cap per cell and side',
    ).describe('per variant: a cell whose verdict is still open stops here (sequential cap)'),
    maxHarnessErrorShare: Share.default(0.2).describe(
      'a cell whose harness errors exceed this share of its iterations on either side is inconclusive',
    ),
    confidence: Probability.default(0.95).describe('confidence of the reported rate intervals and bounds'),
  })
  .strict()
  .prefault({});

export const FindingThresholds = z
  .object({
    kinds: z
      .array(z.enum([...outcomeKinds, 'signal-mask']))
      .default(['crash', 'sanitizer', 'signal-mask'])
      .describe(
        "outcome kinds whose signatures, new in head's target side, are a regression even if seen once; signal-mask: head lets more threads run a termination signal's handler asynchronously than base (from the thread census)",
      ),
    noisyFamilies: z
      .array(z.string().min(1))
      .default(['tsan: data race', 'tsan: thread leak'])
      .describe(
        'sanitizer families (tool: report kind) that healthy builds report too: an iteration reporting only these counts as clean in the rate tests, and a new stack of one is blamed on head only when base never showed the family in that cell',
      ),
  })
  .strict()
  .prefault({});

export const ThroughputThresholds = z
  .object({
    regressionThreshold: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.03)
      .describe('regression when the whole interval of the relative change lies below minus this'),
    improvementThreshold: z
      .number()
      .gt(0)
      .default(0.03)
      .describe('improvement when the whole interval of the relative change lies above this'),
    neutralMargin: z
      .number()
      .gt(0)
      .default(0.1)
      .describe('neutral when neither of the above and the whole interval lies within plus or minus this'),
    minRunsPerSide: z.number().int().min(2).default(5).describe('fewer runs on either side: inconclusive'),
    confidence: Probability.default(0.95).describe(
      'confidence of the interval, shared over all throughput rows and over the looks of each',
    ),
  })
  .strict()
  .prefault({});

export const Thresholds = z
  .object({
    stability: StabilityThresholds,
    findings: FindingThresholds,
    throughput: ThroughputThresholds,
  })
  .strict()
  .prefault({})
  .describe('sigstorm verdict thresholds');

export type Thresholds = z.output<typeof Thresholds>;
export type ThresholdsInput = z.input<typeof Thresholds>;
export type StabilityThresholds = Thresholds['stability'];
export type FindingThresholds = Thresholds['findings'];
export type ThroughputThresholds = Thresholds['throughput'];

/** The defaults, parsed once. */
export const defaultThresholds: Thresholds = Thresholds.parse(undefined);
