import { execa } from 'execa';
import { defaultSandbox, type SandboxMode } from '../sandbox/sandbox.schema.js';
import { sandboxedCommand } from '../sandbox/sandboxed-command.js';

/** `configure --help` is the tree's code too: sandboxed, with a deadline, its whole group killed after it. */
const helpDeadlineMs = 60_000;

export async function helpText(
  tree: string,
  sandbox: SandboxMode | undefined,
  signal: AbortSignal | undefined,
): Promise<string> {
  const step = await sandboxedCommand(sandbox ?? defaultSandbox, 'sh', ['./configure', '--help'], {
    cwd: tree,
  });
  try {
    const help = await execa(step.file, step.args, {
      cwd: tree,
      env: step.env,
      extendEnv: false,
      reject: false,
      stdio: ['ignore', 'pipe', 'pipe', ...step.extraStdio],
      detached: true,
      timeout: helpDeadlineMs,
      forceKillAfterDelay: 1000,
      ...(signal ? { cancelSignal: signal } : {}),
    });
    signal?.throwIfAborted();
    return help.stdout;
  } finally {
    await step.close();
  }
}
