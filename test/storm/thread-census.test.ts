import { beforeAll, describe, expect, it } from 'vitest';
import { createLanePool, type LanePool } from '../../src/storm/lanes.js';
import type { IterationRecord } from '../../src/storm/record.js';
import { summarise } from '../../src/storm/summarise.js';
import { decodeMask } from '../../src/storm/threads/signal-set.js';
import { strayProcesses } from '../support/stray-processes.js';
import { stormRecords, type ThreadSubjects, threadSubjects } from '../support/thread-subjects.js';

// The census read from /proc right before the first signal, on the subject and its patches and on
// Debian's single-threaded iperf3 3.12: who can run the termination handler, and who can not.
let pool: LanePool;
let binaries: ThreadSubjects;

beforeAll(async () => {
  pool = await createLanePool();
  binaries = await threadSubjects('unpatched', 'unblocked', 'sigwait', 'sigpipe', 'debian');
});

const storm = (binary: string, name: string, n: number) => stormRecords(pool, binary, name, n, 5);

function summary(records: IterationRecord[]) {
  const s = summarise(records, {
    stormId: 'census',
    workload: records[0]?.workload ?? '',
    variant: 'plain',
    binary: records[0]?.binary ?? '',
    seed: 5,
    lanes: 1,
    iterationsPlanned: records.length,
    interrupted: false,
    elapsedMs: 0,
    resultsFile: '',
  });
  if (!s.census) throw new Error('no census in the summary');
  return s.census;
}

describe('thread census', () => {
  it('decodes /proc masks: bit n-1 is signal n', () => {
    expect(decodeMask('0000000000004003')).toEqual(['SIGHUP', 'SIGINT', 'SIGTERM']);
    expect(decodeMask('0000000000001000')).toEqual(['SIGPIPE']);
    expect(decodeMask('0000000180000000')).toEqual(['SIG32', 'SIG33']);
    expect(decodeMask('0')).toEqual([]);
  });

  it('unpatched subject: only the main thread can run the termination handler; SIGPIPE ignored', async () => {
    const records = await storm(binaries.unpatched, 'server-sigterm', 2);
    const census = records[0]?.census?.server;
    expect(census?.threads.map((t) => t.role)).toEqual([
      'main',
      'thread-1',
      'thread-2',
      'thread-3',
      'thread-4',
    ]);
    expect(census?.caught).toEqual(expect.arrayContaining(['SIGTERM', 'SIGINT', 'SIGHUP']));
    const s = summary(records);
    expect(s.handlerThreads).toEqual({ SIGTERM: ['main'], SIGINT: ['main'], SIGHUP: ['main'] });
    expect(s.rows.find((r) => r.role === 'thread-1')?.takes).toEqual({
      SIGTERM: 'blocked',
      SIGINT: 'blocked',
      SIGHUP: 'blocked',
      SIGPIPE: 'ignored',
    });
  });

  it('unblocked-worker-signals: every stream thread can run it too', async () => {
    const s = summary(await storm(binaries.unblocked, 'server-sigterm', 2));
    expect(s.handlerThreads.SIGTERM).toEqual(['main', 'thread-1', 'thread-2', 'thread-3', 'thread-4']);
    expect(s.maxHandlerThreads.SIGINT).toBe(5);
  });

  it('sigwait-thread: no thread runs a handler; one takes the signals in sigwait', async () => {
    const s = summary(await storm(binaries.sigwait, 'client-sigterm', 2));
    expect(s.handlerThreads).toEqual({ SIGTERM: [], SIGINT: [], SIGHUP: [] });
    const takes = s.rows.map((r) => r.takes.SIGTERM);
    expect(takes.filter((t) => t === 'sigwait')).toHaveLength(1);
    expect(takes.filter((t) => t === 'blocked')).toHaveLength(takes.length - 1);
    expect(s.caught).not.toContain('SIGTERM');
  });

  it('peer-killed takes the census of the judged server too, where SIGPIPE matters', async () => {
    const plain = await storm(binaries.unpatched, 'peer-killed', 1);
    expect(plain[0]?.census?.client?.threads.length).toBeGreaterThan(1);
    expect(summary(plain).ignored).toContain('SIGPIPE');
    const patched = summary(await storm(binaries.sigpipe, 'peer-killed', 1));
    expect(patched.ignored).not.toContain('SIGPIPE');
    expect(patched.rows[0]?.takes.SIGPIPE).toBe('default');
  });

  it("Debian's iperf3 3.12 is single-threaded: main alone takes everything", async () => {
    const s = summary(await storm(binaries.debian, 'server-burst', 2));
    expect(s.rows.map((r) => r.role)).toEqual(['main']);
    expect(s.handlerThreads.SIGTERM).toEqual(['main']);
    expect(s.ignored).toContain('SIGPIPE');
  });

  it('leaves no process behind', async () => {
    const ports = pool.lanes.flatMap((l) => l.ports);
    for (const binary of Object.values(binaries)) {
      expect(await strayProcesses({ binary, ports, parentPid: process.pid })).toEqual([]);
    }
  });
});
