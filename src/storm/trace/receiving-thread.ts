import type { IterationRecord } from '../record.js';

/**
 * Where the iteration's signals landed, from its trace: `main` when the main thread took every
 * pattern signal that some thread took, `other` when any was taken by another thread, `null` when
 * there is no trace (tracefs off) or no signal was taken at all.
 */
export function receivingThread(record: IterationRecord): 'main' | 'other' | null {
  if (record.trace?.kind !== 'traced') return null;
  const takers = record.trace.signals.flatMap((s) => (s.takenBy ? [s.takenBy.role] : []));
  if (takers.length === 0) return null;
  return takers.every((role) => role === 'main') ? 'main' : 'other';
}
