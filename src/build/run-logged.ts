import { appendFile } from 'node:fs/promises';
import { execa } from 'execa';
import { stopGroupOnAbort } from '../util/process-group.js';

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
  const cleanup = stopGroupOnAbort(child.pid, options.signal);
  try {
    const result = await child;
    options.signal?.throwIfAborted();
    if (result.exitCode === 0) return;
    const ending = result.signal ? `was killed by ${result.signal}` : `exited with status ${result.exitCode}`;
    await appendFile(options.logFile, `# ${ending}\n`);
    throw new CommandFailure(command, options.cwd, ending);
  } finally {
    cleanup();
  }
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
