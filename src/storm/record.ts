import { z } from 'zod';
import { VariantName } from '../build/variants.js';
import { Outcome, outcomeKinds } from '../classify/outcome.js';

export const Side = z.enum(['server', 'client']);
export type Side = z.infer<typeof Side>;

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
  /** The random delay chosen inside the workload's window, in milliseconds. */
  delayMs: z.number().nonnegative(),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  /** The side whose outcome is the iteration's verdict. */
  target: z.object({ side: Side, outcome: Outcome }),
  /** The other side: evidence, never the verdict. */
  peer: z.object({ side: Side, outcome: Outcome }),
  /** One shell command that reruns exactly this iteration. */
  repro: z.string(),
});
export type IterationRecord = z.infer<typeof IterationRecord>;

export const SignatureCount = z.object({
  signature: z.string(),
  kind: z.enum(outcomeKinds),
  side: Side,
  /** `target` when seen on the judged side, `peer` when only evidence from the other side. */
  role: z.enum(['target', 'peer']),
  count: z.number().int().positive(),
  firstIteration: z.number().int().nonnegative(),
  /** One line that tells what it is, e.g. the sanitizer headline or `*** stack smashing detected ***`. */
  excerpt: z.string(),
  /** The full report or backtrace of the first occurrence. */
  evidence: z.string(),
  repro: z.string(),
});
export type SignatureCount = z.infer<typeof SignatureCount>;

const Counts = z.object({
  clean: z.number().int(),
  crash: z.number().int(),
  sanitizer: z.number().int(),
  hang: z.number().int(),
  'bad-exit': z.number().int(),
  'harness-error': z.number().int(),
});

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
  /** `true` when the storm was stopped (Ctrl-C, cancel) before all iterations ran. */
  interrupted: z.boolean(),
  elapsedMs: z.number().nonnegative(),
  resultsFile: z.string(),
});
export type StormSummary = z.infer<typeof StormSummary>;
