import { isFailure } from '../classify/outcome.js';
import { signalMaskKind } from '../compare/threads/compare-threads.js';
import { maskChanges } from '../compare/threads/mask-changes.js';
import type { FindingThresholds } from '../config/thresholds.schema.js';
import type { IterationRecord } from '../storm/record.js';
import { summariseCensus } from '../storm/threads/signal-takers.js';
import { judgedSide, type StormWorkload } from '../workload/schema.js';

/**
 * A workload whose judged side loses its peer mid-transfer (the peer SIGKILLed): the writes that
 * follow hit a dead connection, which is where a SIGPIPE that is no longer ignored kills.
 */
export function exercisesVanishingPeer(w: StormWorkload): boolean {
  return w.signal.to !== judgedSide(w) && w.signal.pattern.some((s) => s.signal === 'SIGKILL');
}

/** What changed between base's and head's first census of a cell's judged side (none without both). */
function censusChanges(base: readonly IterationRecord[], head: readonly IterationRecord[]) {
  const census = (records: readonly IterationRecord[]) =>
    summariseCensus(records.flatMap((r) => r.census?.[r.target.side] ?? []).slice(0, 1));
  const b = census(base);
  const h = census(head);
  return b && h ? maskChanges(b, h) : [];
}

/** True when base's and head's first census of a cell differ in a risky disposition (SIGPIPE no longer ignored). */
export function riskyDisposition(
  base: readonly IterationRecord[],
  head: readonly IterationRecord[],
): boolean {
  return censusChanges(base, head).some((c) => c.kind === 'disposition' && c.weight === 'risk');
}

/**
 * The verdict is settled without waiting for a cell's rates: head lets more threads run a
 * termination signal's handler than base, which is a finding (`signal-mask` in findings.kinds, a
 * regression from the first iteration: compare/threads/compare-threads.ts), and head has already
 * failed in this cell, so the report has a failure to show and reproduce.
 */
export function maskRegressionShown(
  base: readonly IterationRecord[],
  head: readonly IterationRecord[],
  findings: FindingThresholds,
): boolean {
  if (!(findings.kinds as readonly string[]).includes(signalMaskKind)) return false;
  if (!head.some((r) => isFailure(r.target.outcome))) return false;
  return censusChanges(base, head).some((c) => c.kind === 'handler-threads' && c.direction === 'more');
}
