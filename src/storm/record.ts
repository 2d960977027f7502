import { z } from 'zod';
import { Outcome, outcomeCountsSchema, outcomeKinds } from '../classify/outcome.js';
import { VariantName } from '../compile/variants.js';
import { ThreadAim } from '../workload/schema.js';
import { Role, Side } from '../workload/side.js';
import { SignalName } from '../workload/signal-name.js';
import { IterationPhases } from './phases.js';
import { CensusSummary, ThreadCensus } from './threads/census.schema.js';
import { SignalTrace } from './trace/trace.schema.js';

export const DeliveredSignal = z.object({
  signal: SignalName,
  /** The process it was sent to; absent in older records. */
  to: Side.optional(),
  gapMs: z.number().nonnegative(),
  /** Absent: process-directed (kill); otherwise the aim of a tgkill. */
  thread: ThreadAim.optional(),
  /** The iteration number an `each` aim rotates with. */
  turn: z.number().int().nonnegative().optional(),
  atMs: z.number(),
  delivered: z.boolean(),
  /** The thread a tgkill went to. */
  aimedAt: z.object({ tid: z.number().int().positive(), role: z.string() }).optional(),
  /** Why a thread-directed signal was not sent although the process ran (e.g. no stream thread). */
  skipped: z.string().optional(),
  until: z.enum(['judged-blocked-writing']).optional(),
  untilMs: z.number().int().positive().optional(),
  /** Whether the `until` condition was reached before its bound (else the signal went anyway). */
  reached: z.boolean().optional(),
});

/** One line of a storm's JSONL file: one iteration, written as soon as it finishes. */
export const IterationRecord = z.object({
  schemaVersion: z.literal(1),
  /** Identifies the storm this iteration belongs to (same for every line of one file). */
  stormId: z.string(),
  workload: z.string(),
  variant: VariantName,
  binary: z.string(),
  iteration: z.number().int().nonnegative(),
  /** The storm's seed; with `iteration` it reproduces this iteration's random choices. */
  seed: z.number().int().nonnegative(),
  lane: z.number().int().nonnegative(),
  cpus: z.string(),
  port: z.number().int().positive(),
  /** The random delay chosen inside the workload's window, in milliseconds (from the moment's anchor). */
  delayMs: z.number().nonnegative(),
  /** The moment the delay counts from: all streams established, setup, end of test, idle server. */
  moment: z.enum(['established', 'setup', 'end', 'idle']).optional(),
  /** From spawning the server to the observed anchor (listening / streams established), in ms. */
  readyMs: z.number().nonnegative().optional(),
  /** The signals as delivered: gap drawn, when kill() ran (ms after the pattern's start), whether it reached a live process. */
  signals: z.array(DeliveredSignal).optional(),
  /**
   * Every thread of the signalled process (and of the judged one, when another) right before the
   * first signal, by side; absent in older records.
   */
  census: z.object({ server: ThreadCensus.optional(), client: ThreadCensus.optional() }).optional(),
  /** What the kernel's signal tracepoints saw (tracefs), or why they were off; absent in older records. */
  trace: SignalTrace.optional(),
  /** A persistent server's follow-up client (workloads with followUp): did the server still serve? */
  followUp: z
    .object({
      served: z.boolean(),
      exitCode: z.number().int().nullable(),
      signal: z.string().nullable(),
      timedOut: z.boolean(),
      stderrHead: z.array(z.string()),
      durationMs: z.number().nonnegative(),
    })
    .optional(),
  /** Where the iteration's time went (iterations that reached judging); absent in older records. */
  phases: IterationPhases.optional(),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  /** The side whose outcome is the iteration's verdict. */
  target: z.object({ side: Side, outcome: Outcome }),
  /** The other side: evidence, never the verdict; `null` when the workload starts none (idle server). */
  peer: z.object({ side: Side, outcome: Outcome }).nullable(),
  /** One shell command that reruns exactly this iteration. */
  repro: z.string(),
});
export type IterationRecord = z.infer<typeof IterationRecord>;

export const SignatureCount = z.object({
  signature: z.string(),
  kind: z.enum(outcomeKinds),
  side: Side,
  /** `target` when seen on the judged side, `peer` when only evidence from the other side. */
  role: Role,
  count: z.number().int().positive(),
  firstIteration: z.number().int().nonnegative(),
  /** One line that tells what it is, e.g. the sanitizer headline or `*** stack smashing detected ***`. */
  excerpt: z.string(),
  /** The full report or backtrace of the first occurrence. */
  evidence: z.string(),
  repro: z.string(),
});
export type SignatureCount = z.infer<typeof SignatureCount>;

const Counts = outcomeCountsSchema(z.number().int());

/** What `sigstorm storm --json` prints and what the comparison reads. */
export const StormSummary = z.object({
  schemaVersion: z.literal(1),
  stormId: z.string(),
  workload: z.string(),
  variant: VariantName,
  binary: z.string(),
  seed: z.number().int().nonnegative(),
  lanes: z.number().int().positive(),
  iterationsPlanned: z.number().int().nonnegative(),
  iterationsDone: z.number().int().nonnegative(),
  /** Counts of the target side's outcomes by class. */
  outcomes: Counts,
  /** Counts of the peer side's outcomes by class (evidence only). */
  peerOutcomes: Counts,
  signatures: z.array(SignatureCount),
  /** Why the harness failed, when it did: shown, counted, never blamed on the code under test. */
  harnessErrors: z
    .array(
      z.object({ reason: z.string(), count: z.number().int().positive(), firstIteration: z.number().int() }),
    )
    .optional(),
  /** The judged process's threads and masks (iterations with a census only; absent in older summaries). */
  census: CensusSummary.optional(),
  /** Median wall time of one iteration (delay window included), in ms. */
  medianIterationMs: z.number().nonnegative().optional(),
  /** `true` when the storm was stopped (Ctrl-C, cancel) before all iterations ran. */
  interrupted: z.boolean(),
  elapsedMs: z.number().nonnegative(),
  resultsFile: z.string(),
});
export type StormSummary = z.infer<typeof StormSummary>;
