import { dirname, resolve } from 'node:path';
import { execa } from 'execa';

/** True for `https://…`, `ssh://…`, `file://…` and scp-like `git@host:owner/repo.git`. */
export function isGitUrl(repo: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[\w.-]+@[\w.-]+:/.test(repo);
}

/**
 * The URL without user name or password (e.g. an installation token): what sigstorm keys caches
 * on, records in reports and shows in messages. scp-like `git@host:…` addresses have no secret.
 */
export function withoutCredentials(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

export interface GitResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fetch of a large fork is minutes; a git that takes longer is stuck (a dead remote, a lock). */
export const gitDeadlineMs = 15 * 60_000;

/** Runs git without throwing, with a deadline; callers turn failures into errors a user can act on. */
export async function git(
  args: readonly string[],
  options: { cwd: string; signal?: AbortSignal | undefined; env?: Record<string, string> },
): Promise<GitResult> {
  const result = await execa('git', args, {
    cwd: options.cwd,
    reject: false,
    stdin: 'ignore',
    env: { LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', ...options.env },
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    timeout: gitDeadlineMs,
    forceKillAfterDelay: 2000,
  });
  if (options.signal?.aborted) options.signal.throwIfAborted();
  const stderr = result.timedOut
    ? `${result.stderr}\ngit ${args[0] ?? ''} was stopped at its deadline of ${gitDeadlineMs / 60_000} min`
    : result.stderr;
  return { ok: result.exitCode === 0 && !result.timedOut, stdout: result.stdout, stderr };
}

export interface GitLocation {
  /** The directory git commands run in: the top of the work tree, or the git dir of a bare repository. */
  readonly gitDir: string;
  /** Path of the directory inside the repository ('' for its root), e.g. `test/subject/`. */
  readonly prefix: string;
  readonly bare: boolean;
}

/** Where `dir` sits in a git repository, or undefined when it is in none. */
export async function locateGit(dir: string): Promise<GitLocation | undefined> {
  const probe = await git(['rev-parse', '--is-bare-repository', '--show-prefix', '--show-cdup'], {
    cwd: dir,
  });
  if (!probe.ok) return undefined;
  const [bare = 'false', prefix = '', cdup = ''] = probe.stdout.split('\n');
  // git archive run inside a subdirectory would archive only that subdirectory of the tree-ish.
  return { gitDir: resolve(dir, cdup.trim()), prefix: prefix.trim(), bare: bare.trim() === 'true' };
}

/** Resolves `ref` to a commit id, or undefined when the repository has no such ref. */
export async function resolveCommit(gitDir: string, ref: string): Promise<string | undefined> {
  const result = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: gitDir });
  return result.ok ? result.stdout.trim() : undefined;
}

/** Environment that keeps git from discovering an enclosing repository above `dir`. */
export function isolatedFrom(dir: string): Record<string, string> {
  return { GIT_CEILING_DIRECTORIES: dirname(dir) };
}
