import { execa } from 'execa';
import { stopGroupOnAbort } from '../util/process-group.js';
import type { GitResult } from './git.js';
import { withoutCredentials } from './git.js';

/**
 * The variables the credential helper reads. sigstorm sets them in the one git process's environment
 * from a URL's user info; a user may set them instead of writing the token into `--repo`.
 */
const userVar = 'SIGSTORM_GIT_USERNAME';
const passwordVar = 'SIGSTORM_GIT_PASSWORD';

/**
 * git's credential helper as a shell snippet: it answers `get` from the environment. The command
 * line holds variable names, never values; `credential.helper=` first drops the user's helpers.
 */
const helper = `!f() { test "$1" = get || exit 0; printf 'username=%s\\npassword=%s\\n' "$${userVar}" "$${passwordVar}"; }; f`;

export interface RemoteCredentials {
  readonly username: string;
  readonly password: string;
}

/** The URL git is given (no user name or password for http(s)) and the credentials it held. */
export function splitCredentials(url: string): { url: string; credentials: RemoteCredentials | undefined } {
  if (!/^https?:\/\//i.test(url)) return { url, credentials: undefined };
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return { url, credentials: undefined };
  return {
    url: withoutCredentials(url),
    credentials: {
      username: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
    },
  };
}

/**
 * Runs a git command that talks to `url` (clone, fetch): `{url}` in `args` is replaced by the URL
 * without credentials, which reach git through a credential helper reading this process's
 * environment, so neither `ps` nor a config file shows them. git runs in its own process group:
 * an abort or `timeoutMs` stops git and its helpers (git remote-http) together.
 */
export async function gitRemote(
  url: string,
  args: readonly string[],
  options: { cwd: string; signal?: AbortSignal | undefined; timeoutMs?: number | undefined },
): Promise<GitResult & { timedOut: boolean }> {
  const { url: bare, credentials } = splitCredentials(url);
  // Credentials given in the environment instead of the URL (the CLI's way to keep them off argv).
  const helperWanted =
    credentials !== undefined || (/^https?:\/\//i.test(url) && process.env[passwordVar] !== undefined);
  const timeout = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  const signals = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
  signal?.throwIfAborted();
  const child = execa(
    'git',
    [
      '-c',
      'credential.helper=',
      ...(helperWanted ? ['-c', `credential.helper=${helper}`] : []),
      ...args.map((arg) => (arg === '{url}' ? bare : arg)),
    ],
    {
      cwd: options.cwd,
      reject: false,
      stdin: 'ignore',
      detached: true,
      env: {
        LC_ALL: 'C',
        GIT_TERMINAL_PROMPT: '0',
        // No ssh password prompt either: a job must fail, not wait for a person.
        GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
        ...(credentials ? { [userVar]: credentials.username, [passwordVar]: credentials.password } : {}),
      },
    },
  );
  const cleanup = stopGroupOnAbort(child.pid, signal);
  try {
    const result = await child;
    options.signal?.throwIfAborted();
    return {
      ok: result.exitCode === 0,
      stdout: String(result.stdout),
      stderr: String(result.stderr),
      timedOut: timeout?.aborted ?? false,
    };
  } finally {
    cleanup();
  }
}
