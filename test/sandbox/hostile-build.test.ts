/**
 * Hostile build trees, made here: each tries one thing a pull request's `configure` or Makefile could
 * do on the App's host, through the real builder step (runLogged → bwrap), and each is contained.
 */
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandFailure, runLogged } from '../../src/compile/run-logged.js';
import {
  defaultSandboxLimits,
  type SandboxLimits,
  type SandboxMode,
} from '../../src/sandbox/sandbox.schema.js';
import { canaryScript, hostPathSightings, ownMounts, processesSeen } from '../support/host-path-canary.js';
import { processesMatching as running } from '../support/stray-processes.js';

const secret = 'whsec-sigstorm-test-4f1c9e';
const keyLine = '-----BEGIN RSA PRIVATE KEY-----';
const keyBody = 'MIIEpAIBAAKCAQEAsigstormtestkeybody';

let root = '';
let home = '';
let cache = '';
let keyFile = '';
let jobStore = '';
let otherEntry = '';
const saved = { ...process.env };
const sysctls = [
  '/proc/sys/kernel/core_pattern',
  '/proc/sys/kernel/core_uses_pid',
  '/proc/sys/net/ipv4/ip_forward',
];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sigstorm-hostile-'));
  home = join(root, 'home');
  cache = join(root, 'cache');
  keyFile = join(home, '.config', 'sigstorm', 'app.private-key.pem');
  jobStore = join(cache, 'app', 'jobs.sqlite');
  otherEntry = join(cache, 'builds', 'other-key', 'tree', 'src', 'iperf3');
  for (const file of [keyFile, jobStore, otherEntry]) await mkdir(join(file, '..'), { recursive: true });
  await writeFile(keyFile, `${keyLine}\n${keyBody}\n-----END RSA PRIVATE KEY-----\n`, { mode: 0o600 });
  await writeFile(jobStore, 'awaiting_approval');
  await writeFile(otherEntry, 'trusted binary');
  // The App's own environment, as `sigstorm serve` has it.
  Object.assign(process.env, { WEBHOOK_SECRET: secret, PRIVATE_KEY_PATH: keyFile, HOME: home });
});

afterAll(async () => {
  for (const name of ['WEBHOOK_SECRET', 'PRIVATE_KEY_PATH', 'HOME']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await rm(root, { recursive: true, force: true });
});

function sandbox(limits: Partial<SandboxLimits> = {}): SandboxMode {
  return { kind: 'bwrap', limits: { ...defaultSandboxLimits, ...limits } };
}

/** A tree whose Makefile runs `recipe` (one shell line per entry), built in the sandbox. */
async function build(
  name: string,
  recipe: readonly string[],
  limits: Partial<SandboxLimits> = {},
  files: Readonly<Record<string, string>> = {},
): Promise<{ log: string; failure: CommandFailure | null; ms: number }> {
  const tree = join(cache, 'builds', `${name}.tmp`, 'tree');
  await mkdir(tree, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(tree, file), text);
  await writeFile(join(tree, 'Makefile'), `all:\n${recipe.map((line) => `\t${line}\n`).join('')}`);
  const logFile = join(tree, '..', 'build.log');
  const started = performance.now();
  let failure: CommandFailure | null = null;
  try {
    await runLogged('make', ['-s'], { cwd: tree, logFile, sandbox: sandbox(limits) });
  } catch (error) {
    if (!(error instanceof CommandFailure)) throw error;
    failure = error;
  }
  return { log: await readFile(logFile, 'utf8'), failure, ms: performance.now() - started };
}

describe('a hostile build in the sandbox', () => {
  it('sees none of the App environment, key file, job store or home', async () => {
    const { log, failure } = await build('snoop', [
      'env',
      `ls -la ${home} 2>&1 || true`,
      `cat ${keyFile} 2>&1 || true`,
      "find / -xdev \\( -name '*.pem' -o -name 'jobs.sqlite' -o -name iperf3 \\) 2>/dev/null | grep -v '^/usr' || true",
      'echo DONE',
    ]);
    expect(failure).toBeNull();
    expect(log).toContain('DONE');
    expect(log).toMatch(/^PATH=/m);
    expect(log).not.toContain(secret);
    expect(log).not.toContain(keyBody);
    expect(log).not.toContain('PRIVATE_KEY_PATH');
    expect(log).not.toContain('app.private-key.pem\n');
    expect(log).not.toContain('jobs.sqlite');
    expect(log).not.toContain('other-key');
    expect(log).toMatch(/No such file or directory/);
  });

  it('sees no host path: not in its mounts (mountinfo, mounts), environ, cwd, command lines or open files', async () => {
    const built = await build('canary', ['sh ./canary.sh'], {}, { 'canary.sh': canaryScript });
    expect(built.failure).toBeNull();
    // What the build printed, without the command line sigstorm logs on the host before it.
    const log = built.log.slice(built.log.indexOf('\nCWD '));
    expect(log).toContain('CANARY-DONE');
    expect(log).toContain('CWD /sigstorm/tree PWD=/sigstorm/tree');
    // It reads make's and the sandbox init's too, not only its own.
    expect(log).toMatch(/^PROC \/proc\/\d+ cmdline make -s $/m);
    expect(processesSeen(log)).toBeGreaterThanOrEqual(3);
    // The cache (and the test's directory that holds it), the repository, the home: nowhere.
    for (const hostPath of [cache, root, process.cwd(), userInfo().homedir]) {
      expect({ hostPath, seen: hostPathSightings(log, hostPath) }).toEqual({ hostPath, seen: [] });
    }
    // It read its mount tables, the tree's mount in both: a filesystem whose root is its own.
    const { mountinfo, mounts } = ownMounts(log);
    expect(mountinfo.find((line) => line.split(' ')[4] === '/sigstorm/tree')?.split(' ')[3]).toBe('/');
    expect(mounts.some((line) => line.split(' ')[1] === '/sigstorm/tree')).toBe(true);
  });

  it('reaches no host port, not even on loopback, and has only its own lo', async () => {
    let connections = 0;
    const server: Server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address !== 'object') throw new Error('no port');
    try {
      const { log } = await build('connect', [
        `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${address.port}' 2>/dev/null && echo CONNECTED || echo REFUSED`,
        'cat /proc/net/dev',
      ]);
      expect(log).toContain('REFUSED');
      expect(log).not.toContain('CONNECTED');
      const interfaces = [...log.matchAll(/^\s*([\w.-]+):\s+\d/gm)].map((m) => m[1]);
      expect(interfaces).toEqual(['lo']);
      expect(connections).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('cannot write outside its tree: not the system, the job store, the caches or other entries', async () => {
    const { log } = await build('write', [
      `echo queued > ${jobStore} 2>&1 || echo REFUSED-JOBS`,
      `echo planted > ${otherEntry} 2>&1 || echo REFUSED-CACHE`,
      `mkdir -p ${join(cache, 'base-results')} 2>&1 && echo x > ${join(cache, 'base-results', 'verdict')} && echo WROTE-INSIDE`,
      'touch /usr/bin/planted 2>&1 || echo REFUSED-USR',
      'echo ok > built.txt',
    ]);
    expect(log).toContain('REFUSED-USR');
    expect(await readFile(jobStore, 'utf8')).toBe('awaiting_approval');
    expect(await readFile(otherEntry, 'utf8')).toBe('trusted binary');
    // What it made in its private view (a tmpfs) is gone with the sandbox, never on the host.
    expect(existsSync(join(cache, 'base-results'))).toBe(false);
    expect(existsSync('/usr/bin/planted')).toBe(false);
    expect(await readFile(join(cache, 'builds', 'write.tmp', 'tree', 'built.txt'), 'utf8')).toBe('ok\n');
    // The overlay's work directory beside the tree (src/sandbox/stage.ts) is gone with the step.
    expect(existsSync(join(cache, 'builds', 'write.tmp', '.sigstorm-overlay'))).toBe(false);
  });

  it('runs as no host root and changes no sysctl: core_pattern, core_uses_pid, a net sysctl', async () => {
    const before = await Promise.all(sysctls.map((file) => readFile(file, 'utf8')));
    const { log, failure } = await build('sysctl', [
      'cat /proc/self/uid_map',
      "grep -E '^(NoNewPrivs|CapEff|CapBnd):' /proc/self/status",
      // Each writes back the value it read: should the sandbox ever fail, the host is still unchanged.
      'v=$$(cat /proc/sys/kernel/core_pattern); echo "$$v" > /proc/sys/kernel/core_pattern 2>&1 || echo REFUSED-CORE-PATTERN',
      'v=$$(cat /proc/sys/kernel/core_uses_pid); echo "$$v" > /proc/sys/kernel/core_uses_pid 2>&1 || echo REFUSED-CORE-USES-PID',
      'v=$$(cat /proc/sys/net/ipv4/ip_forward); echo "$$v" > /proc/sys/net/ipv4/ip_forward 2>&1 || echo REFUSED-NET',
      'ip link add sigstorm0 type dummy 2>&1 || echo REFUSED-CAPABILITY',
      'chown 0:0 Makefile 2>&1 || echo REFUSED-CHOWN',
    ]);
    expect(failure).toBeNull();
    for (const refused of ['CORE-PATTERN', 'CORE-USES-PID', 'NET', 'CAPABILITY', 'CHOWN']) {
      expect(log).toContain(`REFUSED-${refused}`);
    }
    // Every uid the sandbox has maps to an unprivileged host uid: the caller's, or nobody's for root.
    const outside = [...log.matchAll(/^\s*(\d+)\s+(\d+)\s+(\d+)$/gm)].map((m) => Number(m[2]));
    expect(outside.length).toBeGreaterThan(0);
    expect(outside).not.toContain(0);
    expect(log).toMatch(/NoNewPrivs:\s+1/);
    expect(log).toMatch(/CapEff:\s+0+\n/);
    expect(log).toMatch(/CapBnd:\s+0+\n/);
    expect(await Promise.all(sysctls.map((file) => readFile(file, 'utf8')))).toEqual(before);
  });

  it.runIf(process.getuid?.() === 0)('runs as SIGSTORM_SANDBOX_UID when one is set, as root', async () => {
    process.env.SIGSTORM_SANDBOX_UID = '64321:64320';
    try {
      const { log, failure } = await build('dedicated', [
        'cat /proc/self/uid_map /proc/self/gid_map',
        'touch made-here',
      ]);
      expect(failure).toBeNull();
      // One line each: the sandbox's ids map to the dedicated uid and gid, and nothing else.
      const maps = [...log.matchAll(/^\s*(\d+)\s+(\d+)\s+(\d+)$/gm)].map((m) => Number(m[2]));
      expect(maps).toEqual([64321, 64320]);
      // Taken back after the step: root's again.
      const made = await stat(join(cache, 'builds', 'dedicated.tmp', 'tree', 'made-here'));
      expect([made.uid, made.gid]).toEqual([0, 0]);
    } finally {
      delete process.env.SIGSTORM_SANDBOX_UID;
    }
  });

  it('leaves no setuid, setgid or capable file behind, and follows no symlink of its tree', async () => {
    const passwd = await stat('/usr/bin/passwd');
    const { log } = await build('setuid', [
      'cp /bin/sh rootsh && chmod 4755 rootsh && echo MADE-SETUID',
      'cp /bin/sh groupsh && chmod 2755 groupsh && echo MADE-SETGID',
      'cp /bin/sh capsh && (setcap cap_net_admin+ep capsh 2>&1 || echo REFUSED-SETCAP)',
      'mkdir -p sub && cp /bin/sh sub/deep && chmod 6755 sub/deep',
      'ln -s /usr/bin/passwd hostpasswd && ln -s /etc hostetc && echo LINKED',
      'ln /usr/bin/passwd hardpasswd 2>&1 || echo REFUSED-HARDLINK',
      'echo planted > hostetc/sigstorm-planted 2>&1 || echo REFUSED-THROUGH-LINK',
    ]);
    expect(log).toContain('MADE-SETUID');
    expect(log).toContain('LINKED');
    expect(log).toContain('REFUSED-HARDLINK');
    expect(log).toContain('REFUSED-THROUGH-LINK');
    const tree = join(cache, 'builds', 'setuid.tmp', 'tree');
    for (const name of ['rootsh', 'groupsh', 'capsh', 'sub/deep']) {
      const file = await stat(join(tree, name));
      expect({ name, setId: file.mode & 0o6000 }).toEqual({ name, setId: 0 });
      expect(file.uid).toBe(process.getuid?.());
    }
    // No file capability either, on any file of the tree.
    const caps = await execa('getcap', ['-r', tree], { reject: false });
    expect(caps.stdout.trim()).toBe('');
    // The host files the symlinks name kept their owner and mode: nothing was followed.
    const after = await stat('/usr/bin/passwd');
    expect([after.uid, after.mode]).toEqual([passwd.uid, passwd.mode]);
    expect((await lstat(join(tree, 'hostpasswd'))).isSymbolicLink()).toBe(true);
    expect(existsSync('/etc/sigstorm-planted')).toBe(false);
  });

  it('cannot fill memory through /dev/shm, /dev or the root: each is sized or read-only', async () => {
    const { log } = await build(
      'shm',
      [
        'dd if=/dev/zero of=/dev/shm/fill bs=1M count=64 2>&1 || echo SHM-FULL',
        'echo "shm $$(stat -c %s /dev/shm/fill)"',
        'touch /dev/sigstorm 2>&1 || echo REFUSED-DEV',
        'touch /sigstorm 2>&1 || echo REFUSED-ROOT',
        'mkdir /etc/sigstorm 2>&1 || echo REFUSED-ETC',
      ],
      { tmpMiB: 8 },
    );
    expect(log).toContain('SHM-FULL');
    expect(Number(/shm (\d+)/.exec(log)?.[1])).toBeLessThanOrEqual(8 * 2 ** 20);
    for (const refused of ['DEV', 'ROOT', 'ETC']) expect(log).toContain(`REFUSED-${refused}`);
  });

  it('leaves nothing running: a double fork that ignores SIGTERM ends with the step', async () => {
    const marker = '1000.4561';
    const { failure } = await build('daemon', [
      `sh -c 'trap "" TERM HUP; setsid sh -c "trap \\"\\" TERM HUP; sleep ${marker}" & ' ; echo started`,
    ]);
    expect(failure).toBeNull();
    expect(await running(marker)).toEqual([]);
  });

  it('stops a build that never ends at its deadline, whole', async () => {
    const marker = '1000.7891';
    const { failure, ms } = await build('endless', [`sleep ${marker} & sleep ${marker}`], { wallTimeS: 2 });
    expect(failure?.ending).toMatch(/deadline of 2 s/);
    expect(ms).toBeLessThan(10_000);
    expect(await running(marker)).toEqual([]);
  });

  it('bounds a fork bomb by the process limit', async () => {
    const marker = '1000.2468';
    // Bounded on purpose (300 tries), so that even a broken limit could not take the shared machine down.
    const { log } = await build(
      'forkbomb',
      [
        // Counted with shell builtins only: once the limit is reached nothing else can fork.
        // dash gives up at the first failed fork: the bomb runs in a subshell, the count after it.
        `(i=0; while [ $$i -lt 300 ]; do sleep ${marker} & i=$$((i+1)); done); c=0; for p in /proc/[0-9]*; do c=$$((c+1)); done; echo "alive $$c"`,
      ],
      { processes: 40 },
    );
    const alive = Number(/alive (\d+)/.exec(log)?.[1]);
    expect(alive).toBeGreaterThan(0);
    expect(alive).toBeLessThanOrEqual(40);
    expect(log).toMatch(/fork|Resource temporarily unavailable/i);
    expect(await running(marker)).toEqual([]);
  });

  it('stops a build at the disk limit: one big file, and many small ones', async () => {
    const big = await build('bigfile', ['dd if=/dev/zero of=big bs=1M count=100 2>&1'], { diskMiB: 20 });
    expect(big.failure).not.toBeNull();
    const size = (await stat(join(cache, 'builds', 'bigfile.tmp', 'tree', 'big'))).size;
    expect(size).toBeLessThanOrEqual(20 * 2 ** 20);

    const many = await build(
      'manyfiles',
      ['for i in $$(seq 1 40); do dd if=/dev/zero of=f$$i bs=1M count=4 2>/dev/null; sleep 0.1; done'],
      { diskMiB: 20 },
    );
    expect(many.failure?.ending).toMatch(/over the limit of 20 MiB/);
    const written = (
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          stat(join(cache, 'builds', 'manyfiles.tmp', 'tree', `f${i + 1}`)).then(
            (s) => s.size,
            () => 0,
          ),
        ),
      )
    ).reduce((a, b) => a + b, 0);
    expect(written).toBeLessThan(100 * 2 ** 20);
  });
});
