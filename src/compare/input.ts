import type { OutcomeCounts, OutcomeKind } from '../classify/outcome.js';
import type { VariantName } from '../compile/variants.js';
import type { CensusSummary } from '../storm/threads/census.schema.js';
import type { CellAim } from '../workload/aims.js';
import type { Role, Side } from '../workload/side.js';
import type { CellHalt } from './comparison.schema.js';
import type { BatchPair } from './sequential/decide-cell.js';
import type { ThreadSplit } from './threads/threads.schema.js';

/**
 * What the comparison reads: plain data the validate pipeline assembles from storm summaries and
 * iteration records (observeSide in ./observe-side.ts). Nothing here is user input, so no zod.
 */

/** One signature seen on one side of a cell: a storm summary's SignatureCount plus its family. */
export interface SignatureObservation {
  readonly signature: string;
  readonly kind: OutcomeKind;
  /** `tool: report kind` for sanitizer findings (e.g. `tsan: data race`), the signal for crashes; see familyOf. */
  readonly family?: string | null;
  /** The process that showed it. */
  readonly side: Side;
  /** `target`: the judged side of the iteration; `peer`: the other side, evidence only. */
  readonly role: Role;
  /** Iterations it was seen in. */
  readonly count: number;
  /** The iteration numbers it was seen in (`count` of them): causes count distinct failing iterations. */
  readonly iterations: readonly number[];
  readonly firstIteration: number;
  readonly excerpt: string;
  readonly evidence: string;
  readonly repro: string;
}

/** Everything one tree (base or head) did in one cell. */
export interface SideObservation {
  /** Target-side outcomes by class; their sum is the number of iterations run. */
  readonly outcomes: OutcomeCounts;
  /**
   * Target-side sanitizer outcomes whose every report is of a noisy family (thresholds
   * findings.noisyFamilies, e.g. TSan data races of healthy builds): counted as clean by the rate tests.
   */
  readonly noiseOnly?: number;
  readonly peerOutcomes: OutcomeCounts;
  readonly signatures: readonly SignatureObservation[];
  /** Exit code → count over the target side's clean outcomes (a changed exit code is a behaviour change). */
  readonly cleanExitCodes: Readonly<Record<string, number>>;
  readonly peerCleanExitCodes?: Readonly<Record<string, number>>;
  /** The storm was cut short (Ctrl-C, cancel, budget). */
  readonly interrupted?: boolean;
  /** The judged process's threads and masks (first census of the cell). */
  readonly census?: CensusSummary;
  /** Judged iterations and failures by the thread that took the signals (tracefs). */
  readonly byThread?: ThreadSplit;
  /** Why the signals were not traced, when they were not. */
  readonly tracingOff?: string;
  /** What the delivered patterns aimed at (records that name each signal's process). */
  readonly aims?: readonly CellAim[];
}

/** One cell: a workload in one build variant, its target side, stormed on base and on head. */
export interface CellInput {
  readonly workload: string;
  readonly variant: VariantName;
  /** The side the workload signals (the judged side). */
  readonly side: Side;
  readonly base: SideObservation;
  readonly head: SideObservation;
  /** The interleaved batches in the order they ran, for the sequential test; absent: a fixed-size run. */
  readonly batches?: readonly BatchPair[];
  /** The iteration cap per side that applied, when not the config's per-variant one (e.g. `--iterations`). */
  readonly cap?: number;
  /** The storm stopped the cell before its sequential test did, and why. */
  readonly halted?: CellHalt;
}

/** Interleaved throughput runs of one workload: bits per second of each successful run, in run order (pair i: base[i] and head[i]). */
export interface ThroughputInput {
  readonly workload: string;
  readonly variant: VariantName;
  readonly base: readonly number[];
  readonly head: readonly number[];
  /**
   * Present when the runs were made in the sequential paired design (base[i] and head[i] one ABBA
   * pair; src/compare/throughput/looks.ts) with this budget of runs per side: compared paired, at
   * the confidence of the look the runs ended at. Absent: independent runs, compared unpaired.
   */
  readonly budget?: number;
  /**
   * The budget the configuration asked for, when the runs had a smaller one because the gate was
   * already decided (a settled stability regression): the report says why the runs were few.
   */
  readonly cutFrom?: number;
  /** Runs that produced no measurement (iperf3 failed); counted, never averaged in. */
  readonly failedRuns?: { readonly base: number; readonly head: number };
}
