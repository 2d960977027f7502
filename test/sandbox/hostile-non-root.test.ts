/**
 * The hostile build and storm checks with sigstorm run as an ordinary user (CI runs as root, which
 * the other hostile tests cover): test/support/hostile-as-user.ts runs under `setpriv --reuid`
 * as user nobody, with a cache it owns, and this test, as root, judges what it saw and the host.
 */
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryScript, hostPathSightings, ownMounts } from '../support/host-path-canary.js';
import { hostileLines } from '../support/hostile-attempts.js';
import { processesMatching as running } from '../support/stray-processes.js';

const root = process.getuid?.() === 0;
const user = { name: 'nobody', uid: 65534, gid: 65534 };
const secret = 'whsec-non-root-hostile-93a1c4';
const sysctls = [
  '/proc/sys/kernel/core_pattern',
  '/proc/sys/kernel/core_uses_pid',
  '/proc/sys/net/ipv4/ip_forward',
];

let dir = '';
let cache = '';
let home = '';

beforeAll(async () => {
  if (!root) return;
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-non-root-'));
  await chmod(dir, 0o755);
  cache = join(dir, 'cache');
  home = join(dir, 'home');
  const src = join(cache, 'builds', 'key', 'tree', 'src');
  await mkdir(src, { recursive: true });
  await mkdir(home);
  // The storm's program also runs a host program with a file capability, beside it (made below).
  const capcat = "/sigstorm/bin/capcat /proc/self/status | grep -E '^CapEff:' | sed 's/^/CAPCAT /'";
  const program = [...hostileLines, capcat, canaryScript].join('\n');
  await writeFile(join(src, 'iperf3'), `#!/bin/sh\n${program}\n`, { mode: 0o755 });
  await execa('chown', ['-R', `${user.uid}:${user.gid}`, cache, home]);
  await chmod(cache, 0o700);
  // root's, with its capability (a chown would drop it): the storm's program runs it.
  await copyFile('/usr/bin/cat', join(src, 'capcat'));
  await execa('setcap', ['cap_dac_read_search+ep', join(src, 'capcat')]);
});

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

const statusOf = (text: string) =>
  Object.fromEntries([...text.matchAll(/^STATUS (\w+):\s+(\S+)$/gm)].map((m) => [m[1], m[2]]));
const mappedTo = (text: string) =>
  [...text.matchAll(/^\s*(\d+)\s+(\d+)\s+(\d+)$/gm)].map((m) => Number(m[2]));

describe.runIf(root)(
  'a hostile build and storm with sigstorm as an ordinary user (run as root to switch)',
  () => {
    it('contains both: no sysctl changed, no capability, no set-id file in the cache, no host path', async () => {
      const before = await Promise.all(sysctls.map((file) => readFile(file, 'utf8')));
      const run = await execa(
        'setpriv',
        [
          `--reuid=${user.uid}`,
          `--regid=${user.gid}`,
          '--init-groups',
          '--',
          process.execPath,
          '--import',
          'tsx',
          'test/support/hostile-as-user.ts',
          cache,
        ],
        {
          reject: false,
          timeout: 120_000,
          extendEnv: false,
          env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: home, WEBHOOK_SECRET: secret },
        },
      );
      // sigstorm itself ran to the end as that user, whatever the code under test did.
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(0);
      const seen = JSON.parse(run.stdout) as {
        uid: number;
        buildFailure: string | null;
        buildLog: string;
        storm: { exitCode: number | null; stdout: string; stderr: string };
      };
      expect(seen.uid).toBe(user.uid);
      expect(seen.buildFailure).toBeNull();
      expect(seen.storm.exitCode).toBe(0);
      expect(seen.storm.stderr).toBe('');
      // What the build printed, without the command line sigstorm logs on the host before it.
      const build = seen.buildLog.slice(seen.buildLog.indexOf('\n', seen.buildLog.indexOf('$ cd ')));
      for (const [what, text] of [
        ['build', build],
        ['storm', seen.storm.stdout],
      ] as const) {
        expect({ what, done: text.includes('CANARY-DONE') }).toEqual({ what, done: true });
        for (const refused of ['CORE-PATTERN', 'CORE-USES-PID', 'NET', 'CAPABILITY']) {
          expect({ what, refused: text.includes(`REFUSED-${refused}`) }).toEqual({ what, refused: true });
        }
        // The sandbox's ids map to the user's, never to host root; nothing privileged, nothing to gain.
        expect({ what, mapped: mappedTo(text) }).toEqual({ what, mapped: [user.uid] });
        expect({ what, status: statusOf(text) }).toEqual({
          what,
          status: {
            NoNewPrivs: '1',
            CapEff: '0000000000000000',
            CapBnd: '0000000000000000',
            CapAmb: '0000000000000000',
          },
        });
        expect(text).not.toContain(secret);
        expect(text).not.toContain('SAW-SECRET');
        for (const hostPath of [dir, process.cwd()]) {
          expect({ what, hostPath, seen: hostPathSightings(text, hostPath) }).toEqual({
            what,
            hostPath,
            seen: [],
          });
        }
        expect(ownMounts(text).mountinfo.length).toBeGreaterThan(3);
      }
      // The file capability beside the storm's program gave it nothing either.
      expect(seen.storm.stdout).toMatch(/^CAPCAT CapEff:\s+0+$/m);
      // Nothing privileged left in the cache: no set-id bit, no file capability (but root's capcat).
      expect(build).toContain('MADE-SETUID');
      expect(build).toContain('MADE-SETGID');
      const tree = join(cache, 'builds', 'hostile.tmp', 'tree');
      for (const name of ['rootsh', 'groupsh', 'capsh']) {
        const file = await stat(join(tree, name));
        expect({ name, setId: file.mode & 0o6000, uid: file.uid }).toEqual({ name, setId: 0, uid: user.uid });
      }
      const setId = await execa('find', [cache, '-perm', '/6000']);
      expect(setId.stdout).toBe('');
      const caps = await execa('getcap', ['-r', cache], { reject: false });
      expect(caps.stdout.trim().split('\n')).toEqual([
        `${join(cache, 'builds/key/tree/src/capcat')} cap_dac_read_search=ep`,
      ]);
      // The host is as it was, and nothing of either is left running.
      expect(await Promise.all(sysctls.map((file) => readFile(file, 'utf8')))).toEqual(before);
      expect(await running(cache)).toEqual([]);
    });
  },
);
