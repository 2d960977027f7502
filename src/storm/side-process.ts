import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { allowedEnv } from '../sandbox/allowed-env.js';
import { directLauncher, type Launcher } from '../sandbox/launcher.js';
import type { Side } from '../workload/side.js';

/** How one side's process ended, as the harness saw it. */
export interface SideExit {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  /** From spawn (a gated side: its release) to exit. */
  readonly durationMs: number;
  /** Set when the process could not be started at all (taskset or the binary missing…). */
  readonly spawnError: string | null;
}

/** A server or client of one iteration, in a process group of its own (its pid is the group id). */
export interface SideProcess {
  readonly side: Side;
  readonly pid: number | undefined;
  readonly spawnedAt: number;
  readonly exited: Promise<SideExit>;
  /** Where it runs: tools that look at it (gdb) start the same way. */
  readonly launcher: Launcher;
  /** The program's own pid (in a sandbox, `pid` is nsenter's, which forked it), once it exists. */
  programPid(): number | undefined;
  /**
   * SIGKILLs every process of the side. In a sandbox the program goes first and nsenter, which reaps
   * it, after: an nsenter killed first would leave the program's zombie to the host's init.
   */
  kill(): void;
  /** `false` once the process has exited and been reaped. */
  running(): boolean;
  /**
   * A gated side (`gated: true`) execs the program now; `false` when it is already gone. Returns the
   * moment of the release (performance.now()). Ungated sides run from the start: a no-op.
   */
  release(): number;
  /**
   * Sends one signal to the process (the kernel picks the thread). `false` when it has already
   * exited: Node knows once it reaped the child, so a reused pid is never signalled.
   */
  signal(signal: NodeJS.Signals): boolean;
}

export interface StartSideOptions {
  readonly side: Side;
  readonly binary: string;
  readonly args: readonly string[];
  /** taskset CPU list for this process. */
  readonly cpus: string;
  readonly env: Readonly<Record<string, string>>;
  /** Default: directly, not in a sandbox. */
  readonly launcher?: Launcher;
  /**
   * Start everything up to the program (sandbox entry, taskset) now, and exec the program only on
   * `release()`: the launch chain then runs while the other side starts, not on the critical path.
   */
  readonly gated?: boolean;
}

/**
 * The gate: a shell at the end of the launch chain (CPUs already set) that waits for one line on
 * stdin, then execs the program with stdin from /dev/null, as an ungated side has it. The shell
 * would export its PWD: unset, with OLDPWD, so the program gets the variables sigstorm passes and
 * nothing else (in the sandbox an ungated program also inherits the limits shell's stale `PWD=/`).
 * No line (the harness closed the pipe): nothing runs.
 */
const GATE = 'read -r _ || exit 125; unset PWD OLDPWD; exec "$@" </dev/null';

/** Process groups of this process's iterations that may still be alive. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** If sigstorm itself dies (an uncaught error), no iperf3 it started outlives it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  });
}

export function startSide(options: StartSideOptions): SideProcess {
  installExitHook();
  const spawnedAt = performance.now();
  // detached: setsid(), so the process leads its own group and the whole group can be killed at once.
  // taskset execs the binary: the pid is iperf3's own (or nsenter's child's, in a sandbox).
  const launcher = options.launcher ?? directLauncher;
  const argv = [launcher.programPath(options.binary), ...options.args];
  const gated = options.gated ?? false;
  const command = launcher.command('taskset', [
    '-c',
    options.cpus,
    ...(gated ? ['sh', '-c', GATE, 'sigstorm-gate', ...argv] : argv),
  ]);
  const subprocess = execa(command.file, command.args, {
    detached: true,
    cleanup: false,
    reject: false,
    stdin: gated ? 'pipe' : 'ignore',
    env: allowedEnv(options.env),
    extendEnv: false,
    stripFinalNewline: false,
    maxBuffer: 64 * 1024 * 1024,
    // The harness decides when to escalate to SIGKILL (after the hang timeout and a backtrace).
    forceKillAfterDelay: false,
  });
  let done = false;
  // A gate that died before its release: the write fails (EPIPE), and its exit tells the rest.
  subprocess.stdin?.on('error', () => undefined);
  let releasedAt: number | undefined;
  const pid = subprocess.pid;
  let program: number | undefined;
  const programPid = (): number | undefined => {
    if (program === undefined && pid !== undefined && !done) program = launcher.programPid(pid);
    return program;
  };
  if (pid !== undefined) liveGroups.add(pid);
  const exited = subprocess.then((result): SideExit => {
    done = true;
    // The group is forgotten only once it is empty (killGroup runs when the iteration ends).
    if (pid !== undefined && !groupAlive(pid)) liveGroups.delete(pid);
    const neverRan = result.failed && result.exitCode === undefined && result.signal === undefined;
    return {
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      stdout: typeof result.stdout === 'string' ? result.stdout : '',
      stderr: typeof result.stderr === 'string' ? result.stderr : '',
      durationMs: performance.now() - (releasedAt ?? spawnedAt),
      spawnError: neverRan ? (result.shortMessage ?? 'spawn failed') : null,
    };
  });
  return {
    side: options.side,
    pid: subprocess.pid,
    spawnedAt,
    exited,
    launcher,
    programPid,
    kill: () => {
      const target = programPid();
      if (target === undefined || target === pid || done) {
        killGroup(pid, 'SIGKILL');
        return;
      }
      signalQuietly(target, 'SIGKILL');
      // A stopped nsenter (its child was stopped) must run again to reap the program.
      if (pid !== undefined) signalQuietly(pid, 'SIGCONT');
      void exited.then(() => killGroup(pid, 'SIGKILL'));
    },
    running: () => !done,
    release: () => {
      if (releasedAt !== undefined) return releasedAt;
      releasedAt = performance.now();
      if (gated && !done) subprocess.stdin?.end('\n');
      return releasedAt;
    },
    signal: (signal) => {
      // Node sets exitCode/signalCode when it reaps the child, only between ticks: until then the pid
      // is ours. A bare kill() keeps back-to-back signals back-to-back (execa's kill() does more work).
      if (subprocess.pid === undefined || subprocess.exitCode !== null || subprocess.signalCode !== null) {
        return false;
      }
      // In a sandbox the program is nsenter's child, reaped by nsenter just before nsenter exits.
      const target = programPid();
      // ESRCH: exited and reaped by nsenter, which has not exited yet: gone all the same.
      const sent = target !== undefined && signalQuietly(target, signal);
      // nsenter stops itself when its child stops (SIGSTOP): wake it for any other signal, or it
      // would never reap a program killed while stopped.
      if (target !== undefined && pid !== undefined && target !== pid && signal !== 'SIGSTOP') {
        signalQuietly(pid, 'SIGCONT');
      }
      return sent;
    },
  };
}

/** `false` when the process is already gone. */
function signalQuietly(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Sends `signal` to every process of the group; a group that is already gone is not an error. */
export function killGroup(pgid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pgid === undefined) return;
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** `true` while any process of the group exists (zombies included). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
      liveGroups.delete(pgid);
      return false;
    }
    throw error;
  }
}

/** Nothing started here outlives its caller: every group is SIGKILLed, reaped, and checked gone. */
export async function killAndReap(processes: readonly SideProcess[]): Promise<void> {
  for (const p of processes) p.kill();
  // A daemon that setsid'd away may hold the side's output pipe open: it goes too.
  for (const launcher of new Set(processes.map((p) => p.launcher))) await launcher.sweep();
  await Promise.all(processes.map((p) => p.exited));
  for (const p of processes) {
    if (p.pid === undefined) continue;
    for (let tries = 0; groupAlive(p.pid); tries++) {
      if (tries > 500) throw new Error(`process group ${p.pid} survived SIGKILL for 1 s`);
      killGroup(p.pid, 'SIGKILL');
      await sleep(2);
    }
  }
}
