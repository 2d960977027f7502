import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { allowedEnv } from '../sandbox/allowed-env.js';
import { directLauncher, type Launcher } from '../sandbox/launcher.js';

export interface CaptureBacktraceOptions {
  /** How long gdb may take to attach, unwind every thread and detach; default 15 s. */
  timeoutMs?: number;
  /** Where the process runs: gdb attaches from inside the same sandbox (ptrace in its namespaces). */
  launcher?: Launcher;
}

const defaultTimeoutMs = 15_000;

/** The process state letter from /proc (`S`, `R`, `T` stopped, `t` traced…), or null when it is gone. */
async function processState(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || null;
  } catch {
    return null;
  }
}

/**
 * All-thread backtraces of a live process, taken with gdb in batch mode (attach, `thread apply all bt`,
 * detach). Never throws and never leaves gdb running or the process stopped: on timeout gdb is killed
 * by its PID and the process continued. A failure is returned as a note with whatever gdb printed,
 * because a hang without a backtrace is still a hang.
 */
export async function captureBacktrace(pid: number, opts: CaptureBacktraceOptions = {}): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
  const launcher = opts.launcher ?? directLauncher;
  let inner: number;
  try {
    inner = launcher.innerPid(pid);
  } catch (error) {
    return `[sigstorm: process ${pid} could not be found for a backtrace: ${String(error)}]`;
  }
  // No auto-loading: the program under test may carry gdb scripts of its own.
  const args = ['-p', String(inner), '-batch', '-nx', '-iex', 'set auto-load off'];
  args.push('-ex', 'set pagination off', '-ex', 'set width 0', '-ex', 'thread apply all bt');
  const command = launcher.command('gdb', args);
  const gdb = execa(command.file, command.args, {
    reject: false,
    stdin: 'ignore',
    all: true,
    timeout: timeoutMs,
    // gdb detaches on SIGTERM; SIGKILL follows if it does not exit within a second.
    forceKillAfterDelay: 1000,
    env: allowedEnv(),
    extendEnv: false,
  });
  const result = await gdb;
  const output = (result.all ?? '').trim();
  let note = '';
  if (result.timedOut) {
    note = `[sigstorm: gdb did not finish within ${timeoutMs} ms and was killed; the backtrace may be partial]`;
  } else if (result.failed && result.code === 'ENOENT') {
    note =
      '[sigstorm: gdb is not installed: run scripts/setup.sh (Debian package gdb) to get backtraces of hangs]';
  } else if (result.failed || !/^Thread \d+ /m.test(output)) {
    const how =
      result.exitCode === undefined ? (result.signal ?? result.code ?? 'unknown') : `exit ${result.exitCode}`;
    note = `[sigstorm: gdb could not take a backtrace of process ${pid} (${how}); see its output above]`;
  }
  // If gdb died while the process was in a ptrace or group stop, the process must not stay frozen.
  if (note !== '') {
    const state = await processState(pid);
    if (state === 'T' || state === 't') {
      try {
        process.kill(pid, 'SIGCONT');
      } catch (error) {
        note += `\n[sigstorm: could not continue process ${pid} after gdb: ${String(error)}]`;
      }
    }
  }
  return [output, note].filter((part) => part !== '').join('\n');
}
