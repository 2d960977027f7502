import { maskChanges } from '../compare/threads/mask-changes.js';
import type { IterationRecord } from '../storm/record.js';
import { summariseCensus, terminationSignals } from '../storm/threads/signal-takers.js';
import { judgedSide, type StormWorkload } from '../workload/schema.js';

/**
 * A workload whose judged side loses its peer mid-transfer (the peer SIGKILLed): the writes that
 * follow hit a dead connection, which is where a SIGPIPE that is no longer ignored kills.
 */
export function exercisesVanishingPeer(w: StormWorkload): boolean {
  return w.signal.to !== judgedSide(w) && w.signal.pattern.some((s) => s.signal === 'SIGKILL');
}

/**
 * A workload that aims a termination signal at a thread other than main (tgkill `stream` or
 * `each`): with more handler threads in head (the signal-mask finding) it crashes in most
 * iterations, where a process-directed signal reaches a worker only by chance.
 */
export function aimsAtOtherThreads(w: StormWorkload): boolean {
  return w.signal.pattern.some(
    (s) =>
      (terminationSignals as readonly string[]).includes(s.signal) &&
      (s.thread === 'stream' || s.thread === 'each'),
  );
}

/** True when base's and head's first census of a cell differ in a risky disposition (SIGPIPE no longer ignored). */
export function riskyDisposition(
  base: readonly IterationRecord[],
  head: readonly IterationRecord[],
): boolean {
  const census = (records: readonly IterationRecord[]) =>
    summariseCensus(records.flatMap((r) => r.census?.[r.target.side] ?? []).slice(0, 1));
  const b = census(base);
  const h = census(head);
  if (!b || !h) return false;
  return maskChanges(b, h).some((c) => c.kind === 'disposition' && c.weight === 'risk');
}
