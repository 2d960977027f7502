import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyOutcomeCounts } from '../../src/classify/outcome.js';
import { drawChoices } from '../../src/storm/iteration.js';
import { readRecords } from '../../src/storm/jsonl.js';
import { createLanePool, type LanePool } from '../../src/storm/lanes.js';
import type { IterationRecord } from '../../src/storm/record.js';
import { runIterations } from '../../src/storm/run-iterations.js';
import { runStorm } from '../../src/storm/run-storm.js';
import { loadWorkloadFile, resolveStormWorkload } from '../../src/workload/load.js';
import type { StormWorkload } from '../../src/workload/schema.js';
import { strayProcesses } from '../support/stray-processes.js';

// Debian's iperf3 3.12: a real, single-threaded iperf3 the runner must drive with the same flags.
const iperf3 = '/usr/bin/iperf3';
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

let pool: LanePool;
let dir = '';

async function storm(name: string, iterations: number, seed = 11): Promise<IterationRecord[]> {
  const { workload } = await resolveStormWorkload(name);
  const { records } = await runIterations({
    pool,
    binary: iperf3,
    variant: 'plain',
    workload,
    seed,
    iterations: range(iterations),
    stormId: `test-${name}`,
  });
  return records;
}

async function fileWorkload(name: string, yaml: string): Promise<StormWorkload> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, yaml);
  const { workload } = await loadWorkloadFile(file);
  if (workload.kind !== 'storm') throw new Error('expected a storm workload');
  return workload;
}

beforeAll(async () => {
  pool = await createLanePool();
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-storm-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  // Nothing any test of this file started is left: no iperf3 on a lane port, no child of ours.
  const ports = pool.lanes.flatMap((lane) => lane.ports);
  expect(await strayProcesses({ binary: iperf3, ports, parentPid: process.pid })).toEqual([]);
});

describe('storm runner against Debian iperf3 3.12', () => {
  it('server-sigterm: 20 iterations all end clean, with readiness observed and the signal delivered', async () => {
    const { workload } = await resolveStormWorkload('server-sigterm');
    const file = join(dir, 'server-sigterm.jsonl');
    const summary = await runStorm({
      pool,
      binary: iperf3,
      variant: 'plain',
      workload,
      seed: 42,
      iterations: range(20),
      resultsFile: file,
    });
    expect(summary.outcomes).toEqual({ ...emptyOutcomeCounts(), clean: 20 });
    expect(summary.peerOutcomes.clean).toBe(20);
    expect(summary.interrupted).toBe(false);
    const records = await readRecords(file);
    expect(records.map((r) => r.iteration).sort((a, b) => a - b)).toEqual(range(20));
    for (const r of records) {
      expect(r.target.side).toBe('server');
      expect(r.peer?.side).toBe('client');
      // The delay is the seeded draw, inside the workload's window.
      expect(r.delayMs).toBe(drawChoices(workload, 42, r.iteration).delayMs);
      expect(r.delayMs).toBeGreaterThanOrEqual(50);
      expect(r.delayMs).toBeLessThanOrEqual(400);
      expect(r.signals).toEqual([expect.objectContaining({ signal: 'SIGTERM', delivered: true })]);
      expect(r.readyMs).toBeGreaterThan(0);
      // Where the time went: consecutive phases that add up to the iteration's duration (rounding aside).
      const p = r.phases;
      if (!p) throw new Error(`iteration ${r.iteration} has no phases`);
      const sum = Object.values(p).reduce((a, b) => a + b, 0);
      expect(sum).toBeLessThanOrEqual(r.durationMs + 0.5);
      expect(sum).toBeGreaterThan(r.durationMs - 25);
      expect(p.startMs).toBeGreaterThan(0);
      expect(p.startMs + p.readyMs).toBeLessThanOrEqual((r.readyMs ?? 0) + 0.2);
      // The delay window is at least the drawn delay (a late timer or the census add to it).
      expect(p.delayMs).toBeGreaterThanOrEqual(r.delayMs - 0.1);
      // iperf3 3.12 exits 1 after SIGTERM ("interrupt - the server has terminated").
      expect(r.target.outcome).toMatchObject({ kind: 'clean', exitCode: 1 });
      expect(r.repro).toBe(
        `node bin/sigstorm.js storm --binary ${iperf3} --variant plain --workload server-sigterm --seed 42 --only-iteration ${r.iteration} --cpus ${r.cpus}`,
      );
    }
  });

  it('peer-killed: the client is SIGKILLed, the server is judged and its outcome recorded', async () => {
    const records = await storm('peer-killed', 6);
    for (const r of records) {
      expect(r.target.side).toBe('server');
      expect(r.signals?.[0]).toMatchObject({ signal: 'SIGKILL', delivered: true });
      // iperf3 3.12 ignores SIGPIPE: the server reports the lost client and exits on its own.
      expect(r.target.outcome.kind).toBe('clean');
      expect(r.peer?.outcome).toMatchObject({ kind: 'clean', signal: 'SIGKILL' });
    }
  });

  it('idle-server-sigterm: no client is started, the peer is null', async () => {
    const records = await storm('idle-server-sigterm', 5);
    for (const r of records) {
      expect(r.peer).toBeNull();
      expect(r.target.outcome.kind).toBe('clean');
    }
  });

  it('every multi-signal default workload runs; the signals are delivered in order with their gaps', async () => {
    for (const name of [
      'server-double-sigterm',
      'server-sigint-then-sigterm',
      'server-burst',
      'client-burst',
    ]) {
      const { workload } = await resolveStormWorkload(name);
      for (const r of await storm(name, 4)) {
        expect(r.target.outcome.kind === 'harness-error').toBe(false);
        const signals = r.signals ?? [];
        expect(signals.map((s) => s.signal)).toEqual(workload.signal.pattern.map((p) => p.signal));
        for (const [i, s] of signals.entries()) {
          const previous = signals[i - 1];
          if (previous?.delivered && s.delivered)
            expect(s.atMs - previous.atMs).toBeGreaterThanOrEqual(s.gapMs - 0.01);
        }
      }
    }
  });

  it('a server that never exits is a hang, with gdb backtraces, and is killed', async () => {
    const workload = await fileWorkload(
      'server-left-running',
      [
        'kind: storm',
        'name: server-left-running',
        'description: the client is killed and the server (without -1) keeps serving',
        'streams: 2',
        'server:',
        '  args: -s -p {port}',
        'signal:',
        '  to: client',
        '  pattern:',
        '    - signal: SIGKILL',
        'judge: server',
        'at:',
        '  moment: established',
        '  delayMs: [10, 20]',
        'hangTimeoutMs: 300',
      ].join('\n'),
    );
    const { records } = await runIterations({
      pool,
      binary: iperf3,
      variant: 'plain',
      workload,
      seed: 1,
      iterations: [0],
      stormId: 'hang',
    });
    const outcome = records[0]?.target.outcome;
    expect(outcome?.kind).toBe('hang');
    if (outcome?.kind !== 'hang') return;
    expect(outcome.backtrace).toMatch(/^Thread 1 /m);
    expect(outcome.signature).toContain('iperf_run_server');
  });

  it('a peer that would serve forever is stopped by sigstorm when asked (peer.exits: stopped-by-sigstorm)', async () => {
    const workload = await fileWorkload(
      'persistent-server',
      [
        'kind: storm',
        'name: persistent-server',
        'description: the client is interrupted; the server (without -1) is stopped by sigstorm afterwards',
        'streams: 2',
        'server:',
        '  args: -s -p {port}',
        'signal:',
        '  to: client',
        '  pattern:',
        '    - signal: SIGINT',
        'at:',
        '  moment: established',
        '  delayMs: [10, 30]',
        'peer:',
        '  exits: stopped-by-sigstorm',
        'hangTimeoutMs: 2000',
      ].join('\n'),
    );
    const { records } = await runIterations({
      pool,
      binary: iperf3,
      variant: 'plain',
      workload,
      seed: 1,
      iterations: [0, 1],
      stormId: 'stop',
    });
    for (const r of records) {
      expect(r.target).toMatchObject({ side: 'client', outcome: { kind: 'clean' } });
      expect(r.peer).toMatchObject({ side: 'server', outcome: { kind: 'clean' } });
    }
  });

  it('harness failures are harness errors, never blamed on the binary', async () => {
    // A server that rejects its arguments never listens: the workload did not run.
    const badArgs = await fileWorkload(
      'bad-server-args',
      'kind: storm\nname: bad-server-args\ndescription: d\nserver:\n  args: -s -p {port} --no-such-flag\nsignal:\n  to: server\n  pattern:\n    - signal: SIGTERM\n',
    );
    const first = await runIterations({
      pool,
      binary: iperf3,
      variant: 'plain',
      workload: badArgs,
      seed: 1,
      iterations: [0],
      stormId: 'h',
    });
    expect(first.records[0]?.target.outcome).toMatchObject({
      kind: 'harness-error',
      reason: expect.stringMatching(/the server ended \(exit 1\) before listening/),
    });

    // Every port of the lane is taken by someone else.
    const busyPool = await createLanePool({ lanes: 1, portsPerLane: 2 });
    const lane = busyPool.lanes[0];
    if (!lane) throw new Error('no lane');
    const servers: Server[] = [];
    for (const port of lane.ports) {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      servers.push(server);
    }
    try {
      const { workload } = await resolveStormWorkload('server-sigterm');
      const busy = await runIterations({
        pool: busyPool,
        binary: iperf3,
        variant: 'plain',
        workload,
        seed: 1,
        iterations: [0],
        stormId: 'busy',
        // Host ports are taken: only without a sandbox do they matter (a sandbox has its own).
        sandbox: { kind: 'none' },
      });
      expect(busy.records[0]?.target.outcome).toMatchObject({
        kind: 'harness-error',
        reason: expect.stringContaining('no free port'),
      });
    } finally {
      for (const s of servers) s.close();
    }
  });

  it('an AbortSignal stops the run: in-flight processes are killed, finished iterations kept', async () => {
    const { workload } = await resolveStormWorkload('server-sigterm');
    const controller = new AbortController();
    const done: IterationRecord[] = [];
    const result = await runIterations({
      pool,
      binary: iperf3,
      variant: 'plain',
      workload,
      seed: 5,
      iterations: range(50),
      stormId: 'abort',
      signal: controller.signal,
      onRecord: (r) => {
        done.push(r);
        // Stop while the next iteration is starting up.
        if (done.length === 2) setTimeout(() => controller.abort(), 30);
      },
    });
    expect(result.interrupted).toBe(true);
    expect(result.records.length).toBeGreaterThanOrEqual(2);
    expect(result.records.length).toBeLessThan(50);
    expect(result.records).toEqual(done);
    const ports = pool.lanes.flatMap((lane) => lane.ports);
    expect(await strayProcesses({ binary: iperf3, ports, parentPid: process.pid })).toEqual([]);
  });
});
