import { appendFile } from 'node:fs/promises';
import { execa } from 'execa';

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

/**
 * Runs one build command with its output appended to `logFile` (so a long build can be followed
 * with `tail -f`). It runs in its own process group: on abort the whole group (make and every
 * compiler it started) is stopped, and nothing is left running.
 */
export async function runLogged(
  file: string,
  args: readonly string[],
  options: { cwd: string; logFile: string; env?: Record<string, string>; signal?: AbortSignal | undefined },
): Promise<void> {
  const command = [file, ...args].map(quote).join(' ');
  options.signal?.throwIfAborted();
  await appendFile(options.logFile, `\n$ cd ${quote(options.cwd)} && ${command}\n`);
  const output = { file: options.logFile, append: true } as const;
  const child = execa(file, args, {
    cwd: options.cwd,
    env: { LC_ALL: 'C', ...options.env },
    stdin: 'ignore',
    stdout: output,
    stderr: output,
    detached: true,
    reject: false,
  });
  let escalate: NodeJS.Timeout | undefined;
  const stop = (): void => {
    killGroup(child.pid, 'SIGTERM');
    escalate = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 3000);
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    const result = await child;
    options.signal?.throwIfAborted();
    if (result.exitCode === 0) return;
    const ending = result.signal ? `was killed by ${result.signal}` : `exited with status ${result.exitCode}`;
    await appendFile(options.logFile, `# ${ending}\n`);
    throw new CommandFailure(command, options.cwd, ending);
  } finally {
    clearTimeout(escalate);
    options.signal?.removeEventListener('abort', stop);
    // Compilers that make left behind when it was stopped belong to the same group.
    if (options.signal?.aborted) killGroup(child.pid, 'SIGKILL');
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone, which is what we want.
    if (!(error instanceof Error && 'code' in error && error.code === 'ESRCH')) throw error;
  }
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
