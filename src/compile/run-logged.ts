import { createWriteStream } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { execa } from 'execa';
import { watchDisk } from '../sandbox/disk-watch.js';
import { defaultSandbox, type SandboxMode } from '../sandbox/sandbox.schema.js';
import { sandboxedCommand } from '../sandbox/sandboxed-command.js';
import { killGroup } from '../util/process-group.js';

/** A build command that failed: what ran, where, and how it ended. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
  constructor(
    readonly command: string,
    readonly cwd: string,
    readonly ending: string,
  ) {
    super(`\`${command}\` ${ending}`);
  }
}

export interface RunLoggedOptions {
  readonly cwd: string;
  readonly logFile: string;
  readonly env?: Record<string, string>;
  readonly signal?: AbortSignal | undefined;
  /** Default: a bubblewrap sandbox with the default limits, `cwd` its only writable directory. */
  readonly sandbox?: SandboxMode | undefined;
}

/**
 * Runs one build command with its output appended to `logFile` (so a long build can be followed
 * with `tail -f`), in a sandbox (src/sandbox/). It runs in its own process group and its own pid
 * namespace: on abort, at the deadline or past the disk limit the whole group is stopped, and
 * nothing it started (a daemon that `setsid`s away included) is left running.
 */
export async function runLogged(
  file: string,
  args: readonly string[],
  options: RunLoggedOptions,
): Promise<void> {
  const command = [file, ...args].map(quote).join(' ');
  options.signal?.throwIfAborted();
  await appendFile(options.logFile, `\n$ cd ${quote(options.cwd)} && ${command}\n`);
  const step = await sandboxedCommand(options.sandbox ?? defaultSandbox, file, args, {
    cwd: options.cwd,
    env: { LC_ALL: 'C', ...options.env },
  });
  // Sandboxed, output goes through a pipe, not the log file itself: a file's fd names its host path
  // in /proc/self/fd, which the step reads. Unsandboxed, the file (a daemon holding it open does not
  // hold the step up).
  const output = { file: options.logFile, append: true } as const;
  const sandboxed = step.limits !== null;
  const child = execa(step.file, step.args, {
    cwd: options.cwd,
    env: step.env,
    extendEnv: false,
    stdio: ['ignore', sandboxed ? 'pipe' : output, sandboxed ? 'pipe' : output, ...step.extraStdio],
    all: sandboxed,
    buffer: false,
    detached: true,
    reject: false,
  });
  const log = sandboxed ? createWriteStream(options.logFile, { flags: 'a' }) : null;
  if (log) child.all?.pipe(log);
  const logged = log ? finished(log) : Promise.resolve();
  let stoppedBecause: string | null = null;
  let escalate: NodeJS.Timeout | undefined;
  const stop = (reason: string | null): void => {
    stoppedBecause ??= reason;
    killGroup(child.pid, 'SIGTERM');
    escalate ??= setTimeout(() => killGroup(child.pid, 'SIGKILL'), 3000);
  };
  const onAbort = (): void => stop(null);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const limits = step.limits;
  const deadline = limits
    ? setTimeout(() => stop(`was stopped at its deadline of ${limits.wallTimeS} s`), limits.wallTimeS * 1000)
    : undefined;
  const stopWatching = limits
    ? watchDisk([options.cwd], limits.diskMiB * 1024 * 1024, (used) =>
        stop(
          `was stopped: it wrote ${Math.round(used / 2 ** 20)} MiB, over the limit of ${limits.diskMiB} MiB`,
        ),
      )
    : () => undefined;
  try {
    const result = await child;
    await logged;
    options.signal?.throwIfAborted();
    if (result.exitCode === 0 && stoppedBecause === null) return;
    const ending =
      stoppedBecause ??
      (result.signal ? `was killed by ${result.signal}` : `exited with status ${result.exitCode}`);
    await appendFile(options.logFile, `# ${ending}\n`);
    throw new CommandFailure(command, options.cwd, ending);
  } finally {
    clearTimeout(deadline);
    stopWatching();
    clearTimeout(escalate);
    options.signal?.removeEventListener('abort', onAbort);
    // Compilers that make left behind when it was stopped belong to the same group.
    if (options.signal?.aborted || stoppedBecause !== null) killGroup(child.pid, 'SIGKILL');
    await step.close();
  }
}

export function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
