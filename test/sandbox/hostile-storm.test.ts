/**
 * A hostile "iperf3" in a storm's sandbox: it looks for the App's secrets, tries the host's loopback,
 * lists the interfaces and leaves a daemon behind. Each attempt is contained, and the storm records
 * a clear outcome instead of crashing.
 */
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLauncher } from '../../src/sandbox/launcher.js';
import { defaultSandbox, defaultSandboxLimits } from '../../src/sandbox/sandbox.schema.js';
import { childEhashEntries } from '../../src/sandbox/stage.js';
import { createLanePool } from '../../src/storm/lanes.js';
import { runIterations } from '../../src/storm/run-iterations.js';
import { startSide } from '../../src/storm/side-process.js';
import { resolveStormWorkload } from '../../src/workload/load.js';
import { canaryScript, hostPathSightings, ownMounts, processesSeen } from '../support/host-path-canary.js';
import { processesMatching as running } from '../support/stray-processes.js';

const secret = 'whsec-storm-hostile-5b7e21';
let dir = '';
let server: Server;
let hostPort = 0;
let connections = 0;
const saved = process.env.WEBHOOK_SECRET;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-hostile-storm-'));
  // As a build's directory is: the sandbox's user (nobody, when run as root) reads it.
  await chmod(dir, 0o755);
  process.env.WEBHOOK_SECRET = secret;
  server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('no port');
  hostPort = address.port;
});

afterAll(async () => {
  if (saved === undefined) delete process.env.WEBHOOK_SECRET;
  else process.env.WEBHOOK_SECRET = saved;
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `#!/bin/bash\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

describe('a hostile iperf3 in the storm sandbox', () => {
  it('sees no secret, reaches no host port, has only its own lo', async () => {
    const binary = await script(
      'snoop',
      [
        'env',
        `(exec 3<>/dev/tcp/127.0.0.1/${hostPort}) 2>/dev/null && echo CONNECTED || echo REFUSED`,
        'cat /proc/net/dev',
        'echo "EHASH $(cat /proc/sys/net/ipv4/tcp_ehash_entries 2>/dev/null)"',
        `ls ${process.env.HOME ?? '/root'} 2>&1 || true`,
        'cat /proc/self/uid_map',
        "grep -E '^(NoNewPrivs|CapEff|CapBnd|CapAmb):' /proc/self/status | sed 's/^/STATUS /'",
        'v=$(cat /proc/sys/kernel/core_pattern); echo "$v" > /proc/sys/kernel/core_pattern 2>/dev/null || echo REFUSED-CORE-PATTERN',
        'v=$(cat /proc/sys/net/ipv4/tcp_syncookies); echo "$v" > /proc/sys/net/ipv4/tcp_syncookies 2>/dev/null || echo REFUSED-NET-SYSCTL',
        // A host program with a file capability, next to the binary: run, it gains nothing.
        `/sigstorm/bin/capcat /proc/self/status | grep -E '^CapEff:' | sed 's/^/CAPCAT /'`,
        'dd if=/dev/zero of=/dev/shm/fill bs=1M count=64 2>/dev/null || echo SHM-FULL',
      ].join('\n'),
    );
    await copyFile('/usr/bin/cat', join(dir, 'capcat'));
    const setcap = await execa('setcap', ['cap_dac_read_search+ep', join(dir, 'capcat')], { reject: false });
    const launcher = await openLauncher(
      { kind: 'bwrap', limits: { ...defaultSandboxLimits, tmpMiB: 8 } },
      { programDir: dir },
    );
    try {
      const side = startSide({ side: 'server', binary, args: [], cpus: '0', env: {}, launcher });
      const exit = await side.exited;
      expect(exit.exitCode).toBe(0);
      expect(exit.stdout).toContain('REFUSED');
      expect(exit.stdout).not.toContain('CONNECTED');
      expect(exit.stdout).not.toContain(secret);
      expect(exit.stdout).not.toContain('WEBHOOK_SECRET');
      const interfaces = [...exit.stdout.matchAll(/^\s*([\w.-]+):\s+\d/gm)].map((m) => m[1]);
      expect(interfaces).toEqual(['lo']);
      // Its TCP table is its own and small (where the kernel can: 6.1 and later), not the host's.
      const own = existsSync('/proc/sys/net/ipv4/tcp_child_ehash_entries');
      expect(/^EHASH (.*)$/m.exec(exit.stdout)?.[1]).toBe(own ? String(childEhashEntries) : '');
      expect(connections).toBe(0);
      // No host root inside, no privilege, no way to gain one (NoNewPrivs, empty bounding set).
      const outside = [...exit.stdout.matchAll(/^\s*(\d+)\s+(\d+)\s+(\d+)$/gm)].map((m) => Number(m[2]));
      expect(outside.length).toBeGreaterThan(0);
      expect(outside).not.toContain(0);
      expect(exit.stdout).toMatch(/NoNewPrivs:\s+1/);
      for (const set of ['CapEff', 'CapBnd', 'CapAmb'])
        expect(exit.stdout).toMatch(new RegExp(`${set}:\\s+0+\\n`));
      expect(exit.stdout).toContain('REFUSED-CORE-PATTERN');
      expect(exit.stdout).toContain('REFUSED-NET-SYSCTL');
      expect(exit.stdout).toContain('SHM-FULL');
      if (setcap.exitCode === 0) expect(exit.stdout).toMatch(/CAPCAT CapEff:\s+0+\n/);
      else expect.fail(`setcap could not give the test program a capability: ${setcap.stderr}`);
    } finally {
      await launcher.close();
    }
  });

  it("refuses a program directory that a build's tree sends elsewhere with a symlink, before anything runs", async () => {
    await script('innocent', 'echo RAN');
    // The cache as a build leaves it: the tree's src is a symlink, here to a directory of the host.
    const cache = join(dir, 'cache');
    const src = join(cache, 'builds', 'key', 'tree', 'src');
    await mkdir(join(src, '..'), { recursive: true });
    await symlink(dir, src);
    const savedCache = process.env.SIGSTORM_CACHE_DIR;
    process.env.SIGSTORM_CACHE_DIR = cache;
    try {
      await expect(openLauncher(defaultSandbox, { programDir: src })).rejects.toThrow(
        /program directory .*src leads through a symlink in the cache/,
      );
      const { workload } = await resolveStormWorkload('server-sigterm');
      const pool = await createLanePool({ lanes: 1 });
      await expect(
        runIterations({
          pool,
          binary: join(src, 'innocent'),
          variant: 'plain',
          workload,
          seed: 1,
          iterations: [0],
          stormId: 'hostile-symlink',
        }),
      ).rejects.toThrow(/leads through a symlink in the cache/);
    } finally {
      if (savedCache === undefined) delete process.env.SIGSTORM_CACHE_DIR;
      else process.env.SIGSTORM_CACHE_DIR = savedCache;
    }
    // Outside the cache a path is the operator's own: merged /usr's /bin symlink is followed.
    const launcher = await openLauncher(defaultSandbox, { programDir: '/bin' });
    await launcher.close();
  });

  it('sees no host path: not in its mounts (mountinfo, mounts), environ, cwd, command lines or open files', async () => {
    // A build's program where a build leaves it, in a cache of the test's own.
    const cache = join(dir, 'canary-cache');
    const src = join(cache, 'builds', 'key', 'tree', 'src');
    await mkdir(src, { recursive: true });
    const binary = join(src, 'iperf3');
    await writeFile(binary, `#!/bin/sh\n${canaryScript}\n`);
    await chmod(binary, 0o755);
    const savedCache = process.env.SIGSTORM_CACHE_DIR;
    process.env.SIGSTORM_CACHE_DIR = cache;
    const launcher = await openLauncher(defaultSandbox, { programDir: src });
    try {
      const side = startSide({ side: 'server', binary, args: ['-s'], cpus: '0', env: {}, launcher });
      const exit = await side.exited;
      expect(exit.stderr).toBe('');
      expect(exit.stdout).toContain('CANARY-DONE');
      expect(exit.stdout).toContain('CWD /tmp PWD=/tmp');
      // It runs from the neutral path, and reads the sandbox's other processes (init, the holder).
      expect(exit.stdout).toMatch(/^PROC \/proc\/\d+ cmdline \/bin\/sh \/sigstorm\/bin\/iperf3 -s $/m);
      expect(processesSeen(exit.stdout)).toBeGreaterThanOrEqual(3);
      // The cache (and the test's directory that holds it), the repository, the home: nowhere.
      for (const hostPath of [cache, dir, process.cwd(), userInfo().homedir]) {
        expect({ hostPath, seen: hostPathSightings(exit.stdout, hostPath) }).toEqual({ hostPath, seen: [] });
      }
      // It read its mount tables, the program directory's mount in both: a filesystem whose root is its own.
      const { mountinfo, mounts } = ownMounts(exit.stdout);
      expect(mountinfo.find((line) => line.split(' ')[4] === '/sigstorm/bin')?.split(' ')[3]).toBe('/');
      expect(mounts.some((line) => line.split(' ')[1] === '/sigstorm/bin')).toBe(true);
    } finally {
      await launcher.close();
      if (savedCache === undefined) delete process.env.SIGSTORM_CACHE_DIR;
      else process.env.SIGSTORM_CACHE_DIR = savedCache;
    }
  });

  it('leaves nothing running after the storm, and the storm records what happened', async () => {
    const marker = '1000.1357';
    const binary = await script(
      'daemon',
      `(trap '' TERM HUP; setsid bash -c "trap '' TERM HUP; sleep ${marker}" &) ; echo 'no server here' >&2; exit 1`,
    );
    const { workload } = await resolveStormWorkload('server-sigterm');
    const pool = await createLanePool({ lanes: 1 });
    const { records } = await runIterations({
      pool,
      binary,
      variant: 'plain',
      workload,
      seed: 1,
      iterations: [0],
      stormId: 'hostile-daemon',
    });
    expect(records).toHaveLength(1);
    // The daemon holds the server's output open, so the harness sees no exit: it never listened.
    expect(records[0]?.target.outcome.kind).toBe('harness-error');
    expect(await running(marker)).toEqual([]);
  });
});
