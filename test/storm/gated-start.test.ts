import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directLauncher, type Launcher, openLauncher } from '../../src/sandbox/launcher.js';
import { defaultSandbox } from '../../src/sandbox/sandbox.schema.js';
import { allowedCpus, formatCpuList } from '../../src/storm/cpus.js';
import { killAndReap, type SideProcess, startSide } from '../../src/storm/side-process.js';

// The client's launch chain starts while the server starts; its program runs on release. What the
// program gets must not differ from an ungated start: the same environment, stdin /dev/null, the CPUs.
const cpus = formatCpuList(allowedCpus().slice(0, 1));
let sandbox: Launcher;

beforeAll(async () => {
  sandbox = await openLauncher(defaultSandbox, { programDir: '/usr/bin' });
});
afterAll(async () => {
  await sandbox.close();
});

function start(binary: string, args: string[], launcher: Launcher, gated: boolean): SideProcess {
  return startSide({ side: 'client', binary, args, cpus, env: { ASAN_OPTIONS: 'probe=1' }, launcher, gated });
}

const comm = (p: SideProcess) => {
  const pid = p.programPid();
  return pid === undefined ? '' : readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
};

/** stdout of the program, started gated (and released once its chain is up) or not. */
async function run(binary: string, args: string[], launcher: Launcher, gated: boolean): Promise<string> {
  const p = start(binary, args, launcher, gated);
  try {
    if (gated) {
      // Held at the gate: the chain is up to the shell, the program has not run.
      for (let i = 0; i < 500 && comm(p) !== 'sh'; i++) await sleep(5);
      expect(comm(p)).toBe('sh');
      await sleep(50);
      expect(p.running()).toBe(true);
      p.release();
    }
    const exit = await p.exited;
    expect(exit).toMatchObject({ exitCode: 0, signal: null, spawnError: null });
    return exit.stdout;
  } finally {
    await killAndReap([p]);
  }
}

describe.each([
  ['directly', () => directLauncher],
  ['in the sandbox', () => sandbox],
])('a gated side %s', (_, launcher) => {
  it('runs its program with the environment, stdin and CPUs of an ungated start', async () => {
    const lines = (text: string) => text.split('\n').filter(Boolean).sort();
    const env = lines(await run('/usr/bin/env', [], launcher(), true));
    // The gate's shell adds nothing; the sandbox's limits shell leaves a stale PWD=/ to ungated programs.
    const ungated = lines(await run('/usr/bin/env', [], launcher(), false)).filter((l) => l !== 'PWD=/');
    expect(env).toEqual(ungated);
    expect(env.some((l) => l.startsWith('PWD=') || l.startsWith('OLDPWD='))).toBe(false);
    expect(env).toContain('ASAN_OPTIONS=probe=1');
    const fd0 = ['/proc/self/fd/0'];
    expect(await run('/usr/bin/readlink', fd0, launcher(), true)).toBe(
      await run('/usr/bin/readlink', fd0, launcher(), false),
    );
    const affinity = ['Cpus_allowed_list', '/proc/self/status'];
    expect(await run('/usr/bin/grep', affinity, launcher(), true)).toBe(`Cpus_allowed_list:\t${cpus}\n`);
  });

  it("counts its duration from the release, not from the chain's spawn", async () => {
    const p = start('/usr/bin/true', [], launcher(), true);
    try {
      await sleep(1000);
      const released = p.release();
      const exit = await p.exited;
      expect(exit.exitCode).toBe(0);
      expect(exit.durationMs).toBeLessThan(performance.now() - released + 1);
      expect(exit.durationMs).toBeLessThan(1000);
    } finally {
      await killAndReap([p]);
    }
  });

  it('never runs its program when it is killed before the release, and a late release is harmless', async () => {
    const p = start('/usr/bin/env', [], launcher(), true);
    for (let i = 0; i < 500 && comm(p) !== 'sh'; i++) await sleep(5);
    p.kill();
    const exit = await p.exited;
    expect(exit.stdout).toBe('');
    expect(exit.signal).toBe('SIGKILL');
    expect(p.release()).toBeGreaterThan(0);
    await killAndReap([p]);
  });
});
