import { beforeAll, describe, expect, it } from 'vitest';
import { pickThread } from '../../src/storm/deliver.js';
import { createLanePool, type LanePool } from '../../src/storm/lanes.js';
import type { IterationRecord } from '../../src/storm/record.js';
import { strayProcesses } from '../support/stray-processes.js';
import { stormRecords, type ThreadSubjects, threadSubjects } from '../support/thread-subjects.js';

// Signals aimed at one thread with tgkill, and the peer stalled until the judged side's socket
// buffers are full: the deterministic paths to the worker-thread crash and to SIGPIPE. How often the
// aimed signal ends an unblocked stream thread's process is a rate CPU contention moves: that test
// runs alone (thread-directed-rates.test.ts); these hold under the suite's load.
let pool: LanePool;
let binaries: Pick<ThreadSubjects, 'unpatched' | 'sigwait' | 'sigpipe' | 'debian'>;

beforeAll(async () => {
  pool = await createLanePool();
  binaries = await threadSubjects('unpatched', 'sigwait', 'sigpipe', 'debian');
});

const storm = (binary: string, name: string, n: number) => stormRecords(pool, binary, name, n, 9);

const kinds = (records: IterationRecord[]) => records.map((r) => r.target.outcome.kind);

describe('thread-directed workloads', () => {
  it('aims: main is the leader, stream the newest other thread, each rotates with the iteration', () => {
    const thread = (tid: number, role: string) => ({ tid, role, name: 'iperf3', blocked: [], pending: [] });
    const census = {
      pid: 10,
      caught: [],
      ignored: [],
      sharedPending: [],
      threads: [thread(10, 'main'), thread(12, 'thread-1'), thread(15, 'thread-2')],
    };
    expect(pickThread(census, 'main', 0)?.tid).toBe(10);
    expect(pickThread(census, 'stream', 0)?.tid).toBe(15);
    expect([0, 1, 2, 3].map((turn) => pickThread(census, 'each', turn)?.tid)).toEqual([10, 12, 15, 10]);
    expect(pickThread({ ...census, threads: [thread(10, 'main')] }, 'stream', 0)).toBeNull();
  });

  it('unpatched: SIGTERM at a stream thread stays pending there; the run ends clean', async () => {
    const records = await storm(binaries.unpatched, 'client-stream-sigterm', 6);
    expect(kinds(records)).toEqual(Array(6).fill('clean'));
    for (const r of records) {
      const [aimed] = r.signals ?? [];
      expect(aimed).toMatchObject({ signal: 'SIGTERM', thread: 'stream', delivered: true });
      // The newest thread besides main, as the census saw it.
      const threads = r.census?.client?.threads ?? [];
      expect(aimed?.aimedAt?.tid).toBe(threads.at(-1)?.tid);
      expect(aimed?.aimedAt?.role).not.toBe('main');
    }
  });

  it('sigwait-thread: clean, the aimed stream thread blocks the signal', async () => {
    expect(kinds(await storm(binaries.sigwait, 'server-stream-sigterm', 4))).toEqual(Array(4).fill('clean'));
  });

  it("Debian's single-threaded iperf3 3.12: no stream thread, the step is skipped and says so", async () => {
    const records = await storm(binaries.debian, 'server-stream-sigterm', 2);
    expect(kinds(records)).toEqual(['clean', 'clean']);
    expect(records[0]?.signals?.[0]).toMatchObject({
      delivered: false,
      skipped: expect.stringMatching(/only its main thread/),
    });
  });
});

describe('peer-stalled: SIGSTOP until the buffers are full, then SIGKILL', () => {
  it('the unpatched server survives; the buffers were observed full every time', async () => {
    const records = await storm(binaries.unpatched, 'peer-stalled', 3);
    expect(kinds(records)).toEqual(['clean', 'clean', 'clean']);
    expect(records.map((r) => r.signals?.[1]?.reached)).toEqual([true, true, true]);
  });

  it('sigpipe-not-ignored: the server dies of SIGPIPE in every iteration', async () => {
    const records = await storm(binaries.sigpipe, 'peer-stalled', 3);
    for (const r of records) expect(r.target.outcome).toMatchObject({ kind: 'crash', signal: 'SIGPIPE' });
  });

  it("Debian's iperf3 3.12 (non-blocking sockets) survives it, the full buffers observed too", async () => {
    const records = await storm(binaries.debian, 'peer-stalled', 2);
    expect(kinds(records)).toEqual(['clean', 'clean']);
    expect(records.map((r) => r.signals?.[1]?.reached)).toEqual([true, true]);
  });

  it('leaves no process behind (a stopped peer included)', async () => {
    const ports = pool.lanes.flatMap((l) => l.ports);
    for (const binary of Object.values(binaries)) {
      expect(await strayProcesses({ binary, ports, parentPid: process.pid })).toEqual([]);
    }
  });
});
