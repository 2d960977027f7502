import type { ThroughputInput } from '../compare/input.js';
import { throughputStopRule } from '../compare/throughput/compare-throughput.js';
import { lookSchedule } from '../compare/throughput/looks.js';
import type { BuildResult } from '../compile/build-variant.js';
import type { VariantName } from '../compile/variants.js';
import type { ThroughputThresholds } from '../config/thresholds.schema.js';
import type { NotRun } from '../report/report.schema.js';
import type { SandboxMode } from '../sandbox/sandbox.schema.js';
import type { TreeSide } from '../source/tree-side.js';
import { type InterleavedThroughput, interleavedThroughput } from '../throughput/interleave.js';
import type { ThroughputWorkload } from '../workload/schema.js';
import type { Emit } from './output/emit.js';
import { expectedPairsFrom } from './schedule/validation-budget.js';

/**
 * Pairs throughput gets once a settled stability regression has decided the gate: a design of its
 * own (looks at 2, 4 and 8 pairs, the last at 95.6%), the fewest whole ABBA rounds past the 6 pairs
 * an interval needs, ≈ 70 s of 4 s runs instead of up to 6 min. The report still shows the figures
 * and says the budget was cut (compare-throughput's `cutFrom`).
 */
export const decidedGatePairs = 8;

/** The pairs throughput may run: the configured budget, or decidedGatePairs once the gate is decided. */
export function throughputBudget(runs: number, gateDecided: boolean): { runs: number; cutFrom?: number } {
  return gateDecided && runs > decidedGatePairs ? { runs: decidedGatePairs, cutFrom: runs } : { runs };
}

/**
 * Step 4: throughput of the plain builds of base and head in ABBA pairs, with the machine to itself
 * (no storm runs now), up to `runs` pairs and stopping at a look whose interval clears the
 * thresholds (docs/throughput.md); or why it did not run.
 */
export async function measureThroughput(o: {
  readonly definition: ThroughputWorkload | null;
  /** Budget: runs per side at most (what the validation's budget leaves, ./schedule/validation-budget.ts). */
  readonly runs: number;
  /** The pairs configured, when `runs` is fewer: said in the progress. */
  readonly configuredRuns?: number;
  /** Expected wall time of one pair until the first is measured, ms (for the time left). */
  readonly pairMs?: number;
  readonly thresholds: ThroughputThresholds;
  /** The builds of base and head by variant; throughput runs their plain builds. */
  readonly builds: Readonly<Record<TreeSide, Partial<Record<VariantName, BuildResult>>>>;
  /**
   * A settled stability regression has already decided the gate: the runs get decidedGatePairs
   * (a smaller design of their own) instead of `runs`, and the row says so.
   */
  readonly gateDecided?: boolean;
  /** Expected time of what follows the runs (the evidence pass), ms, for the time left. */
  readonly afterMs?: number;
  readonly cpus?: string;
  readonly signal?: AbortSignal;
  readonly sandbox: SandboxMode;
  readonly emit: Emit;
  /** Pairs made between the storm batches (throughputBetween): they count towards the budget. */
  readonly already?: InterleavedThroughput;
}): Promise<{ throughput: ThroughputInput[]; notRun: NotRun[] }> {
  const { definition, runs: throughputRuns, emit, signal } = o;
  if (!definition || throughputRuns <= 0) {
    return {
      throughput: [],
      notRun: [
        { what: 'throughput', why: definition ? 'throughput runs set to 0' : 'no throughput definition' },
      ],
    };
  }
  const base = o.builds.base.plain;
  const head = o.builds.head.plain;
  if (!base || !head) throw new Error('throughput needs the plain builds of base and head');
  const before = (o.already?.base.length ?? 0) + (o.already?.head.length ?? 0);
  let runsDone = before;
  // A decided gate cuts the configured pairs (the fitted ones are never below its 8).
  const budget =
    o.gateDecided === true
      ? throughputBudget(o.configuredRuns ?? throughputRuns, true)
      : { runs: throughputRuns };
  const row = {
    workload: definition.name,
    variant: 'plain' as const,
    budget: budget.runs,
    ...(budget.cutFrom === undefined ? {} : { cutFrom: budget.cutFrom }),
  };
  const why =
    budget.cutFrom === undefined
      ? ''
      : ` (budget cut from ${budget.cutFrom} pairs: the stability regression already decides the gate)`;
  const fitted =
    !why && o.configuredRuns !== undefined && budget.runs < o.configuredRuns
      ? ` (of ${o.configuredRuns} configured: what the validation's budget leaves after the storms)`
      : '';
  // Time left: the runs the looks are expected to leave (at the spread of the pairs so far, the
  // budget's until there are enough), at the measured time of a run (the prior's before the first).
  const started = performance.now();
  const made: Record<TreeSide, number[]> = {
    base: (o.already?.base ?? []).map((r) => r.bitsPerSecond),
    head: (o.already?.head ?? []).map((r) => r.bitsPerSecond),
  };
  const expectedLeftMs = () => {
    const ranNow = runsDone - before;
    const perRun = ranNow > 0 ? (performance.now() - started) / ranNow : (o.pairMs ?? 0) / 2;
    const expected = expectedPairsFrom(budget.runs, made, o.thresholds);
    return Math.max(0, 2 * expected - runsDone) * perRun + (o.afterMs ?? 0);
  };
  if (why || fitted) {
    emit({
      phase: 'throughput',
      message: `throughput: ${budget.runs} + ${budget.runs} runs at most${why}${fitted}${before > 0 ? `, ${before} made between storm batches` : ''}`,
      iterationsDone: runsDone,
      iterationsTotal: 2 * budget.runs,
      notice: true,
      ...(o.pairMs === undefined ? {} : { expectedLeftMs: expectedLeftMs() }),
    });
  }
  const samples = await interleavedThroughput({
    base: base.binary,
    head: head.binary,
    runs: budget.runs,
    looks: lookSchedule(budget.runs),
    settled: throughputStopRule(row, o.thresholds),
    definition,
    ...(o.cpus ? { cpus: o.cpus } : {}),
    ...(signal ? { signal } : {}),
    sandbox: o.sandbox,
    ...(o.already ? { from: o.already } : {}),
    onRun: (side, _index, run) => {
      made[side].push(run.bitsPerSecond);
      emit({
        phase: 'throughput',
        message: `throughput run ${++runsDone} of at most ${2 * budget.runs}${why ? ' (budget cut: the gate is decided)' : ''}`,
        iterationsDone: runsDone,
        iterationsTotal: 2 * budget.runs,
        expectedLeftMs: expectedLeftMs(),
      });
    },
  });
  return {
    throughput: [
      {
        ...row,
        base: samples.base.map((r) => r.bitsPerSecond),
        head: samples.head.map((r) => r.bitsPerSecond),
      },
    ],
    notRun: [],
  };
}

/**
 * Throughput pairs made between two storm batches while the storms need time (no storm runs then,
 * so the pair has the machine to itself): up to `pairs` pairs in all, going on from `from`. No look
 * is taken on them: the budget and its looks are fixed once the storms end (measureThroughput).
 */
export async function throughputBetween(o: {
  readonly definition: ThroughputWorkload;
  readonly builds: Readonly<Record<TreeSide, Partial<Record<VariantName, BuildResult>>>>;
  readonly pairs: number;
  /** The pairs of the reserve made between batches in all (for the progress). */
  readonly reserved: number;
  readonly from: InterleavedThroughput;
  readonly cpus?: string;
  readonly signal?: AbortSignal;
  readonly sandbox: SandboxMode;
  readonly emit: Emit;
}): Promise<InterleavedThroughput> {
  const base = o.builds.base.plain;
  const head = o.builds.head.plain;
  if (!base || !head) throw new Error('throughput needs the plain builds of base and head');
  let runsDone = o.from.base.length + o.from.head.length;
  return interleavedThroughput({
    base: base.binary,
    head: head.binary,
    runs: o.pairs,
    definition: o.definition,
    from: o.from,
    ...(o.cpus ? { cpus: o.cpus } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    sandbox: o.sandbox,
    onRun: () =>
      o.emit({
        phase: 'throughput',
        message: `throughput run ${++runsDone} of the reserve's ${2 * o.reserved}, between storm batches while the storms need time`,
        iterationsDone: runsDone,
        iterationsTotal: 2 * o.reserved,
      }),
  });
}
