/**
 * Shared test helper for the thread-level tests: the subject builds whose thread masks differ,
 * Debian's single-threaded iperf3, and a short storm of a workload (by name or object) that must
 * finish every iteration.
 */
import { expect } from 'vitest';
import type { LanePool } from '../../src/storm/lanes.js';
import type { IterationRecord } from '../../src/storm/record.js';
import { runIterations } from '../../src/storm/run-iterations.js';
import { resolveStormWorkload } from '../../src/workload/load.js';
import type { StormWorkload } from '../../src/workload/schema.js';
import { subjectBinary } from './subject.js';

export interface ThreadSubjects {
  /** iperf3 3.18's masks: only main can run the termination handler. */
  readonly unpatched: string;
  /** Every stream thread can run it too. */
  readonly unblocked: string;
  /** No thread runs a handler: one takes the signals in sigwait(). */
  readonly sigwait: string;
  readonly sigpipe: string;
  /** Debian's iperf3 3.12: single-threaded. */
  readonly debian: string;
}

/** How each subject is had: a build of the subject with these patches (plain), or Debian's program. */
const sources: Record<keyof ThreadSubjects, readonly string[] | string> = {
  unpatched: [],
  unblocked: ['unblocked-worker-signals.patch'],
  sigwait: ['unblocked-worker-signals.patch', 'sigwait-thread.patch'],
  sigpipe: ['sigpipe-not-ignored.patch'],
  debian: '/usr/bin/iperf3',
};

/**
 * The subjects a test file storms, and only those: their builds run side by side (each is its own
 * cache entry; a build another file asked for first is waited for, not redone).
 */
export async function threadSubjects<K extends keyof ThreadSubjects>(
  ...names: readonly K[]
): Promise<Pick<ThreadSubjects, K>> {
  const paths = await Promise.all(
    names.map((name) => {
      const source = sources[name];
      return typeof source === 'string' ? source : subjectBinary('plain', source);
    }),
  );
  return Object.fromEntries(names.map((name, i) => [name, paths[i]])) as Pick<ThreadSubjects, K>;
}

/** Iterations 0..n-1 of a workload on the pool (plain variant); every one must finish. */
export async function stormRecords(
  pool: LanePool,
  binary: string,
  workload: string | StormWorkload,
  n: number,
  seed: number,
): Promise<IterationRecord[]> {
  const w = typeof workload === 'string' ? (await resolveStormWorkload(workload)).workload : workload;
  const { records } = await runIterations({
    pool,
    binary,
    variant: 'plain',
    workload: w,
    seed,
    iterations: Array.from({ length: n }, (_, i) => i),
    stormId: `test-${w.name}`,
  });
  expect(records).toHaveLength(n);
  return records;
}
