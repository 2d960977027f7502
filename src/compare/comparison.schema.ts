import { z } from 'zod';
import { outcomeCountsSchema, outcomeKinds } from '../classify/outcome.js';
import { VariantName } from '../compile/variants.js';
import { Verdict } from '../source/verdict.js';
import { Role, Side } from '../workload/side.js';
import { neutralDesigns } from './neutral/design.js';
import { ThreadSplit, ThreadsReport } from './threads/threads.schema.js';

/**
 * What the comparison of base and head finds: compare owns these shapes, the report composes
 * them with build info and not-run entries (src/report/report.schema.ts).
 * Rates are fractions (0.012 = 1.2%); counts are iterations or runs.
 */

// The four verdicts are source's (a patch header expects one): one definition for both.
export { Verdict } from '../source/verdict.js';

export const Count = z.number().int().nonnegative();
export const Fraction = z.number().min(0).max(1);

const OutcomeCounts = outcomeCountsSchema(Count).strict();

const Interval = z
  .object({ lower: Fraction, upper: Fraction, confidence: Fraction })
  .strict()
  .describe('two-sided interval of a failure rate (Wilson score)');

export const SideStats = z
  .object({
    iterations: Count.describe('iterations run, harness errors included'),
    judged: Count.describe('iterations with a verdict on the code under test (iterations − harness errors)'),
    failures: Count.describe(
      'judged iterations whose target side ended in a failure kind (docs/classification.md), noise excluded',
    ),
    harnessErrors: Count,
    noiseOnly: Count.describe(
      'sanitizer outcomes made only of noisy-family reports (findings.noisyFamilies): counted as clean, not in failures',
    ),
    rate: Fraction.nullable().describe('failures / judged; null when nothing was judged'),
    interval: Interval.nullable(),
    atMost: Fraction.describe('exact one-sided upper bound of the failure rate at stability.confidence'),
    outcomes: OutcomeCounts.describe("target side's outcomes by class"),
    peerOutcomes: OutcomeCounts.describe("peer side's outcomes by class (evidence only)"),
    cleanExitCodes: z
      .record(z.string(), Count)
      .describe("exit code → count over the target's clean outcomes"),
    interrupted: z.boolean(),
  })
  .strict();
export type SideStats = z.infer<typeof SideStats>;

const TestState = z.enum(['open', 'accepted', 'rejected']);

export const SequentialReport = z
  .object({
    state: z.enum(['continue', 'stop']),
    reason: z.enum(['regression', 'improvement', 'equivalent', 'cap']).nullable(),
    rule: z.enum(['odds-ratio-test', 'no-failures', 'all-failures', 'cap']).nullable(),
    llr: z.object({ worse: z.number(), better: z.number() }).strict(),
    tests: z.object({ worse: TestState, better: TestState }).strict(),
    bounds: z.object({ upper: z.number(), lower: z.number() }).strict(),
    iterations: z.object({ base: Count, head: Count }).strict(),
    failures: z.object({ base: Count, head: Count }).strict(),
    batches: Count,
    certificateIterations: Count,
    maxIterationsPerSide: Count,
    evidence: z.string().describe('the sentence the stop (or the open state) rests on'),
  })
  .strict()
  .describe('where the sequential test of the cell stopped and why');

export const NeutralBound = z
  .object({
    tolerance: Fraction.describe('the rise the bound rules out'),
    shown: z.boolean().describe('the upper bound is at most the tolerance'),
    upper: Fraction.nullable().describe(
      "upper bound of head's failure rate minus base's; null before the first look",
    ),
    rule: z
      .enum(['head-clean', 'difference'])
      .nullable()
      .describe(
        'head-clean: exact bound of head with no failures; difference: Newcombe, base failures offset head',
      ),
    confidence: Fraction.nullable().describe("1 − the look's share of beta"),
    looks: Count.describe(
      'looks of its schedule passed, at the counts where they fall (1 after the first; a batch that jumps past several takes one look, at the highest)',
    ),
    iterations: z
      .object({ base: Count, head: Count })
      .strict()
      .describe('judged iterations at the last look'),
    failures: z.object({ base: Count, head: Count }).strict(),
  })
  .strict()
  .describe(
    'a non-inferiority bound: head fails at most `tolerance` more often than base (docs/statistics.md)',
  );
export type NeutralBound = z.infer<typeof NeutralBound>;

/** Why a storm stopped a cell before its sequential test did (the cell keeps its verdict from the rates). */
export const cellHalts = ['budget', 'fail-fast', 'cancelled'] as const;
export type CellHalt = (typeof cellHalts)[number];

export const CellReport = z
  .object({
    workload: z.string(),
    variant: VariantName,
    side: Side.describe('the signalled (target) side'),
    verdict: Verdict,
    because: z.string().describe('one sentence: why this verdict'),
    base: SideStats,
    head: SideStats,
    difference: z
      .object({
        estimate: z.number(),
        lower: z.number(),
        upper: z.number(),
        confidence: Fraction.describe('each end is a one-sided bound at this confidence (Newcombe)'),
      })
      .strict()
      .nullable()
      .describe("head's failure rate minus base's"),
    tolerance: Fraction.describe('the rise a neutral verdict rules out'),
    pValues: z
      .object({
        worse: Fraction,
        better: Fraction,
        worseAdjusted: Fraction.describe('Holm-adjusted over all cells'),
        betterAdjusted: Fraction.describe('Holm-adjusted over all cells'),
      })
      .strict()
      .describe("one-sided Fisher exact tests on the cell's totals"),
    sequential: SequentialReport.nullable().describe('null for a fixed-size run'),
    byReceivingThread: z
      .object({ base: ThreadSplit, head: ThreadSplit })
      .strict()
      .optional()
      .describe('outcomes split by the thread that took the signals (tracefs); absent without a trace'),
    findings: Count.describe('causes new in head and blamed on head (each one or more signatures)'),
    coarse: NeutralBound.optional().describe(
      'the cell within stability.cellTolerance (pooled neutral statement)',
    ),
    halted: z
      .enum(cellHalts)
      .optional()
      .describe(
        'the storm stopped the cell while its sequential test was open: the verdict was already settled (fail-fast), the time budget, a cancel',
      ),
  })
  .strict();
export type CellReport = z.infer<typeof CellReport>;

export const SignatureEntry = z
  .object({
    workload: z.string(),
    variant: VariantName,
    side: Side.describe("the cell's target side"),
    bucket: z.enum(['new', 'fixed', 'persisting']),
    role: Role.describe('target: the judged side; peer: evidence only'),
    process: Side.describe('the process that showed it'),
    signature: z.string(),
    kind: z.enum(outcomeKinds),
    family: z.string().nullable().describe('e.g. "tsan: data race", "SIGSEGV"'),
    base: z.object({ count: Count, iterations: Count }).strict(),
    head: z.object({ count: Count, iterations: Count }).strict(),
    finding: z.boolean().describe('new in head, of a finding kind, and not explained by base: a regression'),
    note: z.string().nullable().describe('why a new signature is not blamed, or where else it was seen'),
    excerpt: z.string(),
    evidence: z.string().describe('full sanitizer report or backtrace of the first occurrence'),
    repro: z.string().describe('one command that reruns that iteration'),
    firstIteration: Count,
  })
  .strict();
export type SignatureEntry = z.infer<typeof SignatureEntry>;

/** What the evidence pass (pipeline/evidence-pass.ts) got by rerunning a cause's failing iterations. */
export const StackRerun = z
  .object({
    variant: VariantName.describe('the build the iterations were rerun on'),
    seed: Count,
    iterations: z.array(Count).describe('the failing iterations rerun, in the order tried'),
    attempts: Count.describe('reruns made (bounded; the pass stops at the first with a stack)'),
    hits: Count.describe('reruns whose target side gave a stack with a frame in the tree'),
    elapsedMs: z.number().nonnegative(),
    signature: z.string().nullable().describe("the first hit's signature"),
    iteration: Count.nullable().describe("the first hit's iteration"),
    evidence: z.string().describe("the first hit's sanitizer report (empty without a hit)"),
    repro: z.string().nullable().describe("one command that reruns the first hit's iteration on that build"),
  })
  .strict();
export type StackRerun = z.infer<typeof StackRerun>;

export const CauseEntry = z
  .object({
    workload: z.string(),
    variant: VariantName,
    side: Side.describe("the cell's target side"),
    bucket: SignatureEntry.shape.bucket,
    role: Role,
    process: Side.describe('the process that showed it'),
    kind: z.enum(outcomeKinds).describe('the outcome kind every signature of the cause shares'),
    family: z
      .string()
      .nullable()
      .describe(
        'the sanitizer report kind the signatures share (e.g. "asan: SEGV"); null for crashes, hangs, exits',
      ),
    finding: z.boolean().describe('new in head, of a finding kind, not explained by base: a regression'),
    note: z.string().nullable().describe('why it is not blamed on head, as for its signatures'),
    iterations: z
      .object({
        base: z.object({ failing: Count, judged: Count }).strict(),
        head: z.object({ failing: Count, judged: Count }).strict(),
      })
      .strict()
      .describe('distinct iterations that showed any of its signatures, out of the judged ones'),
    headline: z.string().describe('e.g. "22 of 220 crashed: SIGSEGV ×15, stack smashing detected ×7"'),
    signatures: z
      .array(z.object({ signature: z.string(), label: z.string(), count: Count }).strict())
      .min(1)
      .describe(
        'its signatures (entries of stability.signatures of the same cell, role and process), most frequent first',
      ),
    location: z
      .object({ path: z.string(), line: z.number().int().positive(), function: z.string() })
      .strict()
      .nullable()
      .default(null)
      .describe(
        "its top frame in the tree's own files (path relative to the tree, from its first signature whose evidence has one, else from `rerun`); null when none resolves",
      ),
    rerun: StackRerun.nullable()
      .default(null)
      .describe(
        'the evidence pass: a finding settled on a build without stacks (plain), rerun on the ASan build of the same cell; null when none ran',
      ),
  })
  .strict()
  .describe(
    'one finding per cause: the signatures of one cell, role and process with the same bucket, blame and kind (docs/report.md)',
  );
export type CauseEntry = z.infer<typeof CauseEntry>;

export const BehaviourChange = z
  .object({
    workload: z.string(),
    variant: VariantName,
    side: Side.describe("the cell's target side"),
    role: Role,
    base: z.record(z.string(), Count).describe('exit code → count of clean outcomes'),
    head: z.record(z.string(), Count),
    description: z.string(),
  })
  .strict()
  .describe('clean exits whose exit codes changed: reported, never counted as failures');
export type BehaviourChange = z.infer<typeof BehaviourChange>;

const ThroughputSide = z
  .object({
    runs: z.array(z.number().positive()).describe('bits per second of each successful run, in run order'),
    median: z.number().positive().nullable(),
    failedRuns: Count,
  })
  .strict();

export const ThroughputRow = z
  .object({
    workload: z.string(),
    variant: VariantName,
    unit: z.literal('bit/s'),
    base: ThroughputSide,
    head: ThroughputSide,
    change: z
      .object({
        estimate: z.number().describe('Hodges–Lehmann estimate of head / base − 1'),
        lower: z.number().nullable(),
        upper: z.number().nullable(),
        confidence: Fraction,
        achievedConfidence: Fraction.nullable(),
      })
      .strict()
      .nullable(),
    verdict: Verdict,
    label: z
      .string()
      .describe(
        'what the row was shown to be, as the report names it: the verdict, except a neutral row whose interval reaches past the regression or improvement threshold, which shows only the neutral margin ("no change beyond ±10.0%")',
      ),
    because: z.string(),
  })
  .strict();
export type ThroughputRow = z.infer<typeof ThroughputRow>;

export const StabilitySection = z
  .object({
    cells: z.array(CellReport),
    signatures: z.array(SignatureEntry),
    causes: z.array(CauseEntry).describe('the signatures grouped one finding per cause'),
    behaviourChanges: z.array(BehaviourChange),
    threads: ThreadsReport.optional().describe(
      'thread census per process and the mask changes (docs/threads.md)',
    ),
    neutral: z
      .object({
        design: z
          .enum(neutralDesigns)
          .describe(
            'the statement a neutral verdict makes: pooled when some cell is neutral by its coarse bound only, else per-cell',
          ),
        pooled: NeutralBound.describe('every cell pooled, at the strictest variant tolerance'),
        cellsShown: Count.describe('cells whose coarse bound was shown'),
        meaning: z.string().describe('one sentence: what a neutral verdict was shown to mean here'),
        census: z
          .string()
          .nullable()
          .describe(
            'evidence next to the rates: base and head have the same threads, masks and dispositions',
          ),
      })
      .strict()
      .optional()
      .describe('what neutral rests on (docs/statistics.md, "Neutral")'),
    totals: z
      .object({
        iterations: z.object({ base: Count, head: Count }).strict(),
        failures: z.object({ base: Count, head: Count }).strict(),
      })
      .strict(),
  })
  .strict();
export type StabilitySection = z.infer<typeof StabilitySection>;

export const ThroughputSection = z.object({ rows: z.array(ThroughputRow) }).strict();
export type ThroughputSection = z.infer<typeof ThroughputSection>;

export const Verdicts = z.object({ stability: Verdict, throughput: Verdict }).strict();
export type Verdicts = z.infer<typeof Verdicts>;

/** Everything the comparison of base and head finds. */
export const Comparison = z
  .object({
    verdict: Verdicts,
    summary: z.object({ stability: z.string(), throughput: z.string() }).strict(),
    stability: StabilitySection,
    throughput: ThroughputSection,
  })
  .strict();
export type Comparison = z.infer<typeof Comparison>;
