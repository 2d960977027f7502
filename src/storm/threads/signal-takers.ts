import { terminationSignals } from '../../workload/signal-name.js';
import type { IterationRecord } from '../record.js';
import type { CensusRow, CensusSummary, CensusThread, Taking, ThreadCensus } from './census.schema.js';

export { terminationSignals };
/** Watched for its disposition only: ignoring it is what keeps a write to a vanished peer from killing iperf3. */
export const watchedSignals = [...terminationSignals, 'SIGPIPE'] as const;

/** How `thread` would take `signal` if the kernel chose it (kernel/signal.c: wants_signal, then the disposition). */
export function takingOf(census: ThreadCensus, thread: CensusThread, signal: string): Taking {
  if (census.ignored.includes(signal)) return 'ignored';
  if (thread.blocked.includes(signal)) return 'blocked';
  if (census.caught.includes(signal)) return 'handler';
  // sigwait() unblocks the set only while the thread waits in it: that is how it shows in /proc.
  // (wchan reads e.g. `do_sigtimedwait.isra.0`: the compiler's suffix varies.)
  return thread.wchan?.startsWith('do_sigtimedwait') ? 'sigwait' : 'default';
}

/** Roles of the threads that would run `signal`'s handler asynchronously. */
export function handlerThreads(census: ThreadCensus, signal: string): string[] {
  return census.threads.filter((t) => takingOf(census, t, signal) === 'handler').map((t) => t.role);
}

/** The mask table of one side: the first census in iteration order, and the most handler threads seen. */
export function summariseCensus(censuses: readonly ThreadCensus[]): CensusSummary | undefined {
  const first = censuses[0];
  if (!first) return undefined;
  const rows: CensusRow[] = first.threads.map((t) => ({
    role: t.role,
    name: t.name,
    ...(t.start ? { start: t.start } : {}),
    takes: Object.fromEntries(watchedSignals.map((s) => [s, takingOf(first, t, s)])),
  }));
  const max = (signal: string) => Math.max(...censuses.map((c) => handlerThreads(c, signal).length));
  return {
    iterations: censuses.length,
    rows,
    handlerThreads: Object.fromEntries(terminationSignals.map((s) => [s, handlerThreads(first, s)])),
    maxHandlerThreads: Object.fromEntries(terminationSignals.map((s) => [s, max(s)])),
    caught: first.caught,
    ignored: first.ignored,
  };
}

/** The judged side's mask table over a storm's records, their censuses in iteration order. */
export function judgedCensus(records: readonly IterationRecord[]): CensusSummary | undefined {
  const sorted = [...records].sort((a, b) => a.iteration - b.iteration);
  return summariseCensus(sorted.flatMap((r) => r.census?.[r.target.side] ?? []));
}
