import { isFailure, outcomeClass } from '../../classify/outcome.js';
import type { IterationRecord } from '../../storm/record.js';
import { receivingThread } from '../../storm/trace/receiving-thread.js';
import type { ThreadSplit } from './threads.schema.js';

/** Judged iterations and failures, apart for "main took every signal" and "another thread took one". */
export function splitByReceivingThread(records: Iterable<IterationRecord>): ThreadSplit {
  const split = { main: { iterations: 0, failures: 0 }, other: { iterations: 0, failures: 0 }, untraced: 0 };
  for (const record of records) {
    if (outcomeClass[record.target.outcome.kind] === 'not-judged') continue;
    const where = receivingThread(record);
    if (where === null) {
      split.untraced++;
      continue;
    }
    split[where].iterations++;
    if (isFailure(record.target.outcome)) split[where].failures++;
  }
  return split;
}

/** The sentence a maintainer needs, or null when the split says nothing (no iteration on one of the two). */
export function splitSentence(split: ThreadSplit): string | null {
  const { main, other } = split;
  if (other.iterations === 0 || main.iterations + other.iterations === 0) return null;
  return `failed in ${other.failures} of ${other.iterations} iterations where a signal landed on a thread other than main, ${main.failures} of ${main.iterations} otherwise`;
}
