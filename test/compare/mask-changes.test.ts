import { describe, expect, it } from 'vitest';
import { compareThreads, type ThreadsCell } from '../../src/compare/threads/compare-threads.js';
import { describeThreads, maskChanges } from '../../src/compare/threads/mask-changes.js';
import { FindingThresholds } from '../../src/config/thresholds.schema.js';
import type { CensusSummary } from '../../src/storm/threads/census.schema.js';

const term = ['SIGTERM', 'SIGINT', 'SIGHUP'];
function census(handlers: string[], opts: { ignored?: string[]; caught?: string[] } = {}): CensusSummary {
  return {
    iterations: 1,
    rows: [],
    handlerThreads: Object.fromEntries(term.map((s) => [s, handlers])),
    maxHandlerThreads: Object.fromEntries(term.map((s) => [s, handlers.length])),
    caught: opts.caught ?? [...term, 'SIG33'],
    ignored: opts.ignored ?? ['SIGPIPE'],
  };
}
const workers = ['main', 'thread-1', 'thread-2'];

describe('mask changes between base and head', () => {
  it('names threads as a person reads them', () => {
    expect(describeThreads(['main'])).toBe('main only');
    expect(describeThreads(workers)).toBe('main and 2 other threads');
    expect(describeThreads([])).toBe('no thread');
    expect(describeThreads(['thread-1'])).toBe('1 other thread');
  });

  it('unblocked workers: more threads, the three termination signals alike in one change', () => {
    const changes = maskChanges(census(['main']), census(workers));
    expect(changes).toMatchObject([
      { kind: 'handler-threads', direction: 'more', signals: ['SIGTERM', 'SIGINT', 'SIGHUP'] },
    ]);
    expect(changes[0]?.sentence).toBe(
      'head lets main and 2 other threads run the SIGTERM/SIGINT/SIGHUP handler asynchronously (base: main only)',
    );
  });

  it('a sigwait thread: fewer, and the handlers gone are not reported again as dispositions', () => {
    const changes = maskChanges(census(['main']), census([], { caught: ['SIG33'] }));
    expect(changes).toMatchObject([{ kind: 'handler-threads', direction: 'fewer', head: [] }]);
    expect(changes[0]?.sentence).toMatch(/lets no thread run/);
  });

  it('SIGPIPE no longer ignored: a risk, not a handler change; same masks: nothing', () => {
    const [change, ...rest] = maskChanges(census(['main']), census(['main'], { ignored: [] }));
    expect(rest).toEqual([]);
    expect(change).toMatchObject({
      kind: 'disposition',
      signal: 'SIGPIPE',
      base: 'ignored',
      head: 'default',
      weight: 'risk',
    });
    expect(maskChanges(census(['main']), census(['main']))).toEqual([]);
  });
});

describe('which cell the census comparison reads', () => {
  const rows = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ role: i ? `thread-${i}` : 'main', name: 'iperf3', takes: {} }));
  function cell(workload: string, base: CensusSummary, head: CensusSummary): ThreadsCell {
    return { workload, variant: 'plain', side: 'server', base: { census: base }, head: { census: head } };
  }
  const findings = FindingThresholds.parse({});

  it('the cell with the most threads on both sides, whatever order the workloads are listed in', () => {
    // An idle server is signalled before any stream starts: main only on both sides, nothing differs.
    const idle = cell(
      'idle-server-sigterm',
      { ...census(['main']), rows: rows(1) },
      { ...census(['main']), rows: rows(1) },
    );
    const busy = cell(
      'server-burst',
      { ...census(['main']), rows: rows(3) },
      { ...census(workers), rows: rows(3) },
    );
    for (const cells of [
      [idle, busy],
      [busy, idle],
    ]) {
      const report = compareThreads(cells, findings);
      expect(report.tables).toMatchObject([{ process: 'server', workload: 'server-burst' }]);
      expect(report.changes).toMatchObject([{ kind: 'handler-threads', direction: 'more', finding: true }]);
    }
  });
});

describe('threads named by what they run', () => {
  const rows = (starts: (string | undefined)[]) =>
    starts.map((start, i) => ({
      role: i === 0 ? 'main' : `thread-${i}`,
      name: 'iperf3',
      ...(start ? { start } : {}),
      takes: {},
    }));
  it('a new thread that takes the handler is named, and the workers are counted by their start routine', () => {
    const base = { ...census(['main']), rows: rows([undefined, 'worker_run', 'worker_run']) };
    const head = {
      ...census(['main', 'thread-1']),
      rows: rows([undefined, 'idle_reporter', 'worker_run', 'worker_run']),
    };
    const [change] = maskChanges(base, head);
    expect(change?.sentence).toBe(
      'head lets main and 1 other thread (idle_reporter) run the SIGTERM/SIGINT/SIGHUP handler asynchronously (base: main only): new thread `idle_reporter` takes SIGTERM/SIGINT/SIGHUP with the handler',
    );
  });
  it('workers named alike: counted, nothing new', () => {
    const base = { ...census(['main']), rows: rows([undefined, 'worker_run', 'worker_run']) };
    const head = { ...census(workers), rows: rows([undefined, 'worker_run', 'worker_run']) };
    expect(maskChanges(base, head)[0]?.sentence).toBe(
      'head lets main and 2 other threads (worker_run ×2) run the SIGTERM/SIGINT/SIGHUP handler asynchronously (base: main only)',
    );
  });
});
