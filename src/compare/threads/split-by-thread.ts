import { isFailure } from '../../classify/outcome.js';
import type { IterationRecord } from '../../storm/record.js';
import { receivingThread } from '../../storm/trace/receiving-thread.js';
import type { ThreadSplit } from './threads.schema.js';

/** Judged iterations and failures, apart for "main took every signal" and "another thread took one". */
export function splitByReceivingThread(records: Iterable<IterationRecord>): ThreadSplit {
  const split = { main: { iterations: 0, failures: 0 }, other: { iterations: 0, failures: 0 }, untraced: 0 };
  for (const record of records) {
    if (record.target.outcome.kind === 'harness-error') continue;
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

export function addSplits(parts: readonly (ThreadSplit | undefined)[]): ThreadSplit | undefined {
  const present = parts.filter((p): p is ThreadSplit => p !== undefined);
  if (present.length === 0) return undefined;
  const sum = { main: { iterations: 0, failures: 0 }, other: { iterations: 0, failures: 0 }, untraced: 0 };
  for (const p of present) {
    for (const k of ['main', 'other'] as const) {
      sum[k].iterations += p[k].iterations;
      sum[k].failures += p[k].failures;
    }
    sum.untraced += p.untraced;
  }
  return sum;
}

/** The sentence a maintainer needs, or null when the split says nothing (no iteration on one of the two). */
export function splitSentence(split: ThreadSplit): string | null {
  const { main, other } = split;
  if (other.iterations === 0 || main.iterations + other.iterations === 0) return null;
  return `failed in ${other.failures} of ${other.iterations} iterations where a signal landed on a thread other than main, ${main.failures} of ${main.iterations} otherwise`;
}
