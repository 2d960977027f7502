import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Launcher, openLauncher } from '../../src/sandbox/launcher.js';
import { defaultSandbox } from '../../src/sandbox/sandbox.schema.js';
import { createLanePool, type LanePool } from '../../src/storm/lanes.js';
import { type LaunchPad, launchedProcesses, openLaunchPad } from '../../src/storm/launch-pad.js';
import { runIterations } from '../../src/storm/run-iterations.js';
import { killAndReap, type SideProcess } from '../../src/storm/side-process.js';
import { resolveStormWorkload } from '../../src/workload/load.js';
import type { StormWorkload } from '../../src/workload/schema.js';
import { listProcesses } from '../support/stray-processes.js';

// The next iteration's server and client are launched while the current one waits out its delay
// window, and wait at their gates: the iteration's start-up is then a release. Debian's iperf3 in the
// storm's sandbox, as validate runs it.
const binary = '/usr/bin/iperf3';
let pool: LanePool;
let sandbox: Launcher;
let workload: StormWorkload;

beforeAll(async () => {
  pool = await createLanePool();
  sandbox = await openLauncher(defaultSandbox, { programDir: '/usr/bin' });
  workload = (await resolveStormWorkload('client-burst')).workload;
});
afterAll(async () => {
  await sandbox.close();
});

const ourPorts = () => new Set(pool.lanes.flatMap((l) => l.ports).map(String));

/** Processes of this file's lanes that hold a gate (the chain, then the gate's shell). */
async function gated() {
  const ports = ourPorts();
  return (await listProcesses())
    .filter((p) => p.argv.includes('sigstorm-gate'))
    .filter((p) => p.argv.some((arg, i) => ports.has(arg) && p.argv[i - 1] === '-p'));
}

/** Sides of this file's lanes launched and waiting at their gates: one process group each. */
async function gatesWaiting(): Promise<number> {
  return new Set((await gated()).map((p) => p.pgid)).size;
}

/** Every process of this file's lanes: the programs and their chains. */
async function anythingOnOurPorts(): Promise<string[]> {
  const ports = ourPorts();
  return (await listProcesses())
    .filter((p) => p.argv.some((arg, i) => ports.has(arg) && p.argv[i - 1] === '-p'))
    .map((p) => `${p.pid} ${p.argv.join(' ')}`);
}

const comm = (p: SideProcess) => {
  const pid = p.programPid();
  return pid === undefined ? '' : readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
};

function pad(more = () => true, w = workload): LaunchPad {
  const lane = pool.lanes[0];
  if (!lane) throw new Error('no lane');
  return openLaunchPad({ pool, lane, binary, variant: 'plain', workload: w, launcher: sandbox }, more);
}

describe('the launch pad', () => {
  it('launches both sides at their gates and hands them over once', async () => {
    const p = pad();
    await p.prepare(performance.now() + 5000);
    const launched = await p.take();
    expect(launched).not.toBeNull();
    if (!launched) return;
    try {
      expect(launched.client).not.toBeNull();
      const sides = [launched.server, launched.client as SideProcess];
      // Up to the gate's shell; neither program runs yet, so nothing listens on the claimed port.
      for (let i = 0; i < 400 && !sides.every((s) => comm(s) === 'sh'); i++) await sleep(5);
      expect(sides.map(comm)).toEqual(['sh', 'sh']);
      expect(sides.map((s) => s.side)).toEqual(['server', 'client']);
      expect(pool.lanes[0]?.ports).toContain(launched.setup.port);
      expect(launched.setup.values.port).toBe(String(launched.setup.port));
      expect(await p.take()).toBeNull();
    } finally {
      await killAndReap(launchedProcesses(launched));
      await p.close();
    }
    expect(await anythingOnOurPorts()).toEqual([]);
  });

  it('launches only the server for an idle moment', async () => {
    const idle = (await resolveStormWorkload('idle-server-sigterm')).workload;
    const p = pad(() => true, idle);
    await p.prepare(performance.now() + 5000);
    const launched = await p.take();
    try {
      expect(launched?.server.side).toBe('server');
      expect(launched?.client).toBeNull();
    } finally {
      if (launched) await killAndReap([launched.server]);
      await p.close();
    }
  });

  it('launches nothing without room before the deadline, or when no iteration follows', async () => {
    const noRoom = pad();
    await noRoom.prepare(performance.now() + 10);
    expect(await noRoom.take()).toBeNull();
    const last = pad(() => false);
    await last.prepare(performance.now() + 5000);
    expect(await last.take()).toBeNull();
    await Promise.all([noRoom.close(), last.close()]);
    expect(await gatesWaiting()).toBe(0);
  });

  it('launches one set however often it is asked, and close() kills and reaps it', async () => {
    const p = pad();
    await Promise.all([p.prepare(performance.now() + 5000), p.prepare(performance.now() + 5000)]);
    await p.prepare(performance.now() + 5000);
    expect(await gatesWaiting()).toBe(2);
    await p.close();
    expect(await anythingOnOurPorts()).toEqual([]);
    // Closed: no launch after it.
    await p.prepare(performance.now() + 5000);
    expect(await gatesWaiting()).toBe(0);
  });

  it('does not hand over a set whose gate died, and reaps what is left of it', async () => {
    const p = pad();
    await p.prepare(performance.now() + 5000);
    // The server's gate: its shell, once the chain has got that far.
    const isServerGate = (x: { argv: readonly string[] }) =>
      x.argv[0] === 'sh' && x.argv.includes('-s') && (x.argv[2] ?? '').startsWith('read -r');
    let gate = (await gated()).find(isServerGate);
    for (let i = 0; i < 400 && !gate; i++) {
      await sleep(5);
      gate = (await gated()).find(isServerGate);
    }
    expect(gate).toBeDefined();
    if (gate) process.kill(gate.pid, 'SIGKILL');
    // Gone, and reaped by sigstorm (nsenter, its parent, exited with it).
    for (let i = 0; i < 400 && (await gated()).some((x) => x.pgid === gate?.pgid); i++) await sleep(5);
    await sleep(20);
    expect(await p.take()).toBeNull();
    await p.close();
    expect(await anythingOnOurPorts()).toEqual([]);
  });
});

describe('a batch', () => {
  it('starts each later iteration from the gates the one before launched, and leaves nothing behind', async () => {
    // A delay window with room for the launch whatever the load: 600 ms after the streams are up.
    const roomy: StormWorkload = { ...workload, at: { ...workload.at, delayMs: [600, 600] } };
    const waitingAfter: number[] = [];
    const { records } = await runIterations({
      pool,
      binary,
      variant: 'plain',
      workload: roomy,
      seed: 3,
      iterations: [0, 1, 2],
      stormId: 'launch-pad-test',
      onRecord: async () => {
        waitingAfter.push(await gatesWaiting());
      },
    });
    expect(records.map((r) => [r.target.outcome.kind, r.peer?.outcome.kind])).toEqual([
      ['clean', 'clean'],
      ['clean', 'clean'],
      ['clean', 'clean'],
    ]);
    // After each iteration but the last, the next one's server and client wait at their gates.
    expect(waitingAfter).toEqual([2, 2, 0]);
    expect(await anythingOnOurPorts()).toEqual([]);
  });
});
