import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type Options, type ResultPromise } from 'execa';
import { SigstormError } from '../util/errors.js';
import { cacheRoot } from '../util/paths.js';
import { bwrapCommand } from './bwrap-args.js';
import { openCgroup } from './cgroup.js';
import { runsAsRoot, sandboxHostId } from './host-identity.js';
import { insideBin } from './inside-paths.js';
import { sandboxHint } from './probe.js';
import type { SandboxMode } from './sandbox.schema.js';
import { limitsPrefix } from './sandboxed-command.js';

/**
 * Where the processes of one storm (or one throughput measurement) start: directly, or all in one
 * sandbox that holds their network namespace (so server and client meet on its loopback), their
 * pid namespace (so nothing outlives it) and their read-only view of the file system. One sandbox
 * per batch, not per process: joining it costs an nsenter, creating one costs a bwrap.
 */
export interface Launcher {
  readonly mode: SandboxMode['kind'];
  /** argv that runs `file args` in the sandbox (the process spawned is not the program: see programPid). */
  command(file: string, args: readonly string[]): { file: string; args: string[] };
  /** The path a program of the bound directory has inside (its host path, without a sandbox). */
  programPath(hostPath: string): string;
  /** The program's own pid, to signal it: the spawned process itself, or the sandbox's child of it. */
  programPid(spawned: number): number | undefined;
  /** A process's pid as tools inside the sandbox (gdb) see it. */
  innerPid(hostPid: number): number;
  /** A process in the sandbox's network namespace: /proc/PID/net/tcp lists its sockets. */
  readonly netPid: number;
  /**
   * Kills what the programs left behind: every orphan the sandbox's init adopted (a daemon that
   * `setsid`s away, a double fork). Programs still attached to their nsenter are not touched.
   */
  sweep(): Promise<void>;
  /** Kills everything in the sandbox (at once: the pid namespace ends with its holder). Idempotent. */
  close(): Promise<void>;
}

export const directLauncher: Launcher = {
  mode: 'none',
  command: (file, args) => ({ file, args: [...args] }),
  programPath: (hostPath) => hostPath,
  programPid: (spawned) => spawned,
  innerPid: (hostPid) => hostPid,
  netPid: process.pid,
  sweep: async () => undefined,
  close: async () => undefined,
};

/** Children of `pid`, from /proc (empty once it is gone). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1')
      .trim()
      .split(' ')
      .filter((word) => word !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** The first child of `pid` (nsenter forks the program into the pid namespace), if it exists yet. */
function firstChild(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(' ')[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

function innerPidOf(hostPid: number): number {
  const status = readFileSync(`/proc/${hostPid}/status`, 'latin1');
  const nspids = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/);
  const last = nspids?.at(-1);
  if (last === undefined) throw new Error(`no NSpid line in /proc/${hostPid}/status`);
  return Number(last);
}

export interface LauncherLayout {
  /** The directory of the program under test, bound read-only at /sigstorm/bin (inside-paths.ts). */
  readonly programDir: string;
}

export async function openLauncher(mode: SandboxMode, layout: LauncherLayout): Promise<Launcher> {
  switch (mode.kind) {
    case 'none':
      return directLauncher;
    case 'bwrap':
      return openSandboxLauncher(mode.limits, layout);
    default: {
      const unknown: never = mode;
      throw new Error(`unknown sandbox mode ${JSON.stringify(unknown)}`);
    }
  }
}

async function openSandboxLauncher(
  limits: Extract<SandboxMode, { kind: 'bwrap' }>['limits'],
  layout: LauncherLayout,
): Promise<Launcher> {
  checkProgramPath(layout.programDir);
  const cgroup = await openCgroup(limits);
  const prefix = limitsPrefix(limits, cgroup);
  // fd 3 is bwrap's info fd, 4 its options.
  const sandbox = bwrapCommand(
    {
      writable: [],
      readOnly: [{ host: layout.programDir, inside: insideBin }],
      cwd: '/tmp',
      tmpMiB: limits.tmpMiB,
      insideRoot: true,
    },
    4,
  );
  const [file = 'bwrap', ...args] = [...prefix, ...sandbox.argv, '--info-fd', '3', '--', 'sleep', 'infinity'];
  const holder: Holder = execa(file, args, holderOptions(sandbox.options));
  let stopped: Promise<void> | undefined;
  const stopHolder = (): Promise<void> => {
    stopped ??= (async () => {
      if (holder.pid !== undefined) killGroup(holder.pid);
      await holder;
      await cgroup?.close();
    })();
    return stopped;
  };
  let initPid: number;
  try {
    initPid = await readChildPid(holder);
  } catch (error) {
    await stopHolder();
    throw error;
  }
  // Inside, the sandbox's uid 0 is the caller (unprivileged) or nobody (root): nsenter becomes it,
  // root by switching to it, an unprivileged caller by keeping its own, which is it.
  const credentials = runsAsRoot() ? [] : ['--preserve-credentials'];
  // The holder's own command (`sleep infinity`) is init's first child; anything else init has is an orphan.
  let holderChild: number | undefined;
  for (let tries = 0; holderChild === undefined && tries < 1000; tries++) {
    holderChild = childrenOf(initPid)[0];
    if (holderChild === undefined) await sleep(1);
  }
  const enter = [
    'nsenter',
    '-t',
    String(initPid),
    '-U',
    '-m',
    '-n',
    '-p',
    '-i',
    '-u',
    ...credentials,
    '-r',
    '-w',
    '--',
    // As the namespace's root it still may: no-new-privs, an empty bounding set, no inheritable or
    // ambient capability. The program then runs with no capability and no way to gain one (a host
    // file capability or set-id bit included), like bwrap's own processes.
    'setpriv',
    '--no-new-privs',
    '--bounding-set=-all',
    '--inh-caps=-all',
    '--ambient-caps=-all',
  ];
  return {
    mode: 'bwrap',
    command: (program, programArgs) => {
      const [first = 'nsenter', ...rest] = [...prefix, ...enter, '--', program, ...programArgs];
      return { file: first, args: rest };
    },
    programPath: (hostPath) => {
      if (resolve(dirname(hostPath)) !== resolve(layout.programDir))
        throw new Error(`${hostPath} is not in the storm's program directory ${layout.programDir}`);
      return join(insideBin, basename(hostPath));
    },
    programPid: firstChild,
    innerPid: innerPidOf,
    netPid: initPid,
    sweep: async () => {
      for (let round = 0; round < 200; round++) {
        const orphans = childrenOf(initPid).filter((pid) => pid !== holderChild);
        if (orphans.length === 0) return;
        for (const pid of orphans) signalQuietly(pid, 'SIGKILL');
        // Their own children are adopted by init in turn: the next round takes them.
        await sleep(5);
      }
      throw new Error(`the sandbox's orphans kept coming back for 1 s (init ${initPid})`);
    },
    close: stopHolder,
  };
}

/**
 * A storm binds its program's directory. In the cache (a build's tree) a symlink is the tree's,
 * and following it would bind whatever the pull request named: below the cache root no part of
 * the path may be a symlink. Elsewhere the path is the operator's own (`--binary /bin/iperf3`,
 * through merged /usr's symlink). As root, the sandbox's user (nobody) must be able to read it:
 * said here rather than as an exit status 126 from every iteration.
 */
function checkProgramPath(path: string): void {
  const cache = cacheRoot();
  const below = relative(cache, resolve(path));
  if (below !== '' && !below.startsWith(`..${sep}`) && below !== '..' && !isAbsolute(below)) {
    let walked = cache;
    for (const part of below.split(sep)) {
      walked = join(walked, part);
      if (lstatSync(walked).isSymbolicLink()) {
        throw new SigstormError(
          `The storm's program directory ${path} leads through a symlink in the cache (${walked}).`,
          {
            hint: "A build's tree may not send a storm elsewhere on the host: its program's directory is bound only when no part of it below the cache is a symlink.",
          },
        );
      }
    }
  }
  const real = realpathSync(path);
  const mode = statSync(real).mode;
  if (runsAsRoot() && (mode & 0o005) !== 0o005) {
    throw new SigstormError(`The storm's program directory ${path} is not readable by the sandbox's user.`, {
      hint: `Run as root, the sandbox runs as uid ${sandboxHostId().uid} (SIGSTORM_SANDBOX_UID, nobody by default), which must read and enter it: chmod o+rx it.`,
      details: `mode ${(mode & 0o7777).toString(8)}`,
    });
  }
}

/** The holder's fds: bwrap's info (3) and its options (4, see bwrapCommand). */
const holderOptions = (bwrapOptions: Uint8Array) =>
  ({
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', bwrapOptions],
    detached: true,
    reject: false,
    extendEnv: false,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  }) as const satisfies Options;
type Holder = ResultPromise<ReturnType<typeof holderOptions>>;

/** bwrap writes `{"child-pid": N, …}` on its info fd once the sandbox exists. */
async function readChildPid(holder: Holder): Promise<number> {
  const info = holder.stdio[3];
  let text = '';
  const found = await new Promise<number | null>((resolve) => {
    info?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const pid = /"child-pid"\s*:\s*(\d+)/.exec(text)?.[1];
      if (pid !== undefined) resolve(Number(pid));
    });
    void holder.then(() => resolve(null));
  });
  if (found !== null) return found;
  const result = await holder;
  throw new SigstormError('The sandbox for the storm could not be created.', {
    hint: sandboxHint,
    details: String(result.stderr ?? '').trim() || `bwrap ended: ${result.shortMessage}`,
  });
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
