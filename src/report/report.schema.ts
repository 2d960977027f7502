import { z } from 'zod';
import { VariantName } from '../build/variants.js';
import { outcomeKinds } from '../classify/outcome.js';
import { Thresholds } from '../config/thresholds.schema.js';
import { sandboxModeKinds } from '../sandbox/sandbox.schema.js';
import { Side } from '../storm/record.js';

/**
 * The JSON report of one validation (report.json), versioned. This schema is the source of truth:
 * schemas/report.schema.json is generated from it and docs/report.md describes every field.
 * Rates are fractions (0.012 = 1.2%); counts are iterations or runs.
 */

export const reportSchemaVersion = 1;

export const verdicts = ['regression', 'improvement', 'neutral', 'inconclusive'] as const;
export const Verdict = z.enum(verdicts);
export type Verdict = z.infer<typeof Verdict>;

const Count = z.number().int().nonnegative();
const Fraction = z.number().min(0).max(1);

const OutcomeCounts = z
  .object(
    Object.fromEntries(outcomeKinds.map((kind) => [kind, Count])) as Record<
      (typeof outcomeKinds)[number],
      typeof Count
    >,
  )
  .strict();

const Interval = z
  .object({ lower: Fraction, upper: Fraction, confidence: Fraction })
  .strict()
  .describe('two-sided interval of a failure rate (Wilson score)');

export const SideStats = z
  .object({
    iterations: Count.describe('iterations run, harness errors included'),
    judged: Count.describe('iterations with a verdict on the code under test (iterations − harness errors)'),
    failures: Count.describe(
      'judged iterations whose target side crashed, hung, exited badly or reported a sanitizer error (noise excluded)',
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
    findings: Count.describe('signatures new in head and blamed on head'),
  })
  .strict();
export type CellReport = z.infer<typeof CellReport>;

export const SignatureEntry = z
  .object({
    workload: z.string(),
    variant: VariantName,
    side: Side.describe("the cell's target side"),
    bucket: z.enum(['new', 'fixed', 'persisting']),
    role: z.enum(['target', 'peer']).describe('target: the judged side; peer: evidence only'),
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

export const BehaviourChange = z
  .object({
    workload: z.string(),
    variant: VariantName,
    side: Side.describe("the cell's target side"),
    role: z.enum(['target', 'peer']),
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
    because: z.string(),
  })
  .strict();
export type ThroughputRow = z.infer<typeof ThroughputRow>;

export const BuildInfo = z
  .object({
    label: z.string().describe('how the report names this tree, e.g. "main + slow-send.patch"'),
    repo: z.string().nullable(),
    ref: z.string().nullable(),
    commit: z.string().nullable(),
    patches: z.array(z.string()),
    sandbox: z
      .enum(sandboxModeKinds)
      .default('bwrap')
      .describe(
        "where this tree's code ran: bwrap (a bubblewrap sandbox: loopback-only network, read-only system, limits) or none (--no-sandbox)",
      ),
    variants: z
      .array(
        z
          .object({
            variant: VariantName,
            binary: z.string().nullable(),
            cached: z.boolean().nullable(),
            buildMs: z.number().nonnegative().nullable(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();
export type BuildInfo = z.output<typeof BuildInfo>;
export type BuildInfoInput = z.input<typeof BuildInfo>;

export const NotRun = z
  .object({ what: z.string(), why: z.string() })
  .strict()
  .describe('something the configuration asked for that did not run, and why');
export type NotRun = z.infer<typeof NotRun>;

export const Report = z
  .object({
    schemaVersion: z.literal(reportSchemaVersion),
    generatedAt: z.string().describe('ISO 8601'),
    sigstormVersion: z.string(),
    headline: z.string().describe('one line: the verdicts and what they rest on'),
    verdict: z.object({ stability: Verdict, throughput: Verdict }).strict(),
    summary: z.object({ stability: z.string(), throughput: z.string() }).strict(),
    base: BuildInfo,
    head: BuildInfo,
    thresholds: Thresholds,
    stability: z
      .object({
        cells: z.array(CellReport),
        signatures: z.array(SignatureEntry),
        behaviourChanges: z.array(BehaviourChange),
        totals: z
          .object({
            iterations: z.object({ base: Count, head: Count }).strict(),
            failures: z.object({ base: Count, head: Count }).strict(),
          })
          .strict(),
      })
      .strict(),
    throughput: z.object({ rows: z.array(ThroughputRow) }).strict(),
    notRun: z.array(NotRun),
  })
  .strict()
  .describe('sigstorm validation report');
export type Report = z.output<typeof Report>;
export type ReportInput = z.input<typeof Report>;
