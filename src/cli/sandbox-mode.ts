import { Option } from 'commander';
import { sandboxLimitsFromEnv } from '../sandbox/limits-env.js';
import { probeSandboxOnce } from '../sandbox/probe.js';
import type { SandboxMode } from '../sandbox/sandbox.schema.js';
import { SigstormError } from '../util/errors.js';

let said = false;

/** The `--no-sandbox` flag every command that runs the code under test takes (read by cliSandbox). */
export const noSandboxOption = () =>
  new Option(
    '--no-sandbox',
    'run the code under test without the bubblewrap sandbox (your own code, machines without user namespaces)',
  );

/**
 * The CLI's sandbox: bubblewrap unless `--no-sandbox`, checked before anything runs; says once
 * through `log` (which prefixes the command's name, as progress lines do: a bare `sigstorm:` line is
 * an error) which mode it uses. A machine without a sandbox is an error that says what to install
 * or enable, never a silent fallback.
 */
export async function cliSandbox(sandbox: boolean, log: (line: string) => void): Promise<SandboxMode> {
  const say = (line: string) => {
    if (!said) log(line);
    said = true;
  };
  if (!sandbox) {
    say('no sandbox (--no-sandbox): the code under test runs as you, with your files and network');
    return { kind: 'none' };
  }
  const limits = sandboxLimitsFromEnv(process.env);
  const probe = await probeSandboxOnce();
  if (!probe.ok) {
    throw new SigstormError(`${probe.error.message} (use --no-sandbox to run your own code without one)`, {
      ...(probe.error.details ? { details: probe.error.details } : {}),
      hint: probe.error.hint,
    });
  }
  say(
    `sandbox: bubblewrap (loopback-only network, read-only system, limits ${limits.processes} processes, ` +
      `${limits.memoryMiB} MiB memory, ${limits.diskMiB} MiB disk, ${limits.wallTimeS} s per build step)`,
  );
  return { kind: 'bwrap', limits };
}
