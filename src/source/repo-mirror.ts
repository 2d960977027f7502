import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { touchEntry } from '../util/cache-budget.js';
import { newTempDir, publishDir, sweepTempDirs } from '../util/cache-entry.js';
import { SigstormError, UsageError } from '../util/errors.js';
import { withFileLock } from '../util/file-lock.js';
import { makeDir } from '../util/make-dir.js';
import { pathExists } from '../util/path-exists.js';
import { resolveCommit, withoutCredentials } from './git.js';
import { gitRemote } from './git-remote.js';

/**
 * Keeps a bare mirror of a remote repository in `<cacheRoot>/repos/` and resolves a ref in it.
 * The first use clones; later uses fetch, except for a full commit id that is already present.
 */
/** Where the mirror of `url` lives: keyed on the URL without credentials, so a new token (GitHub's last an hour) reuses it. */
export function mirrorDir(cacheRoot: string, url: string): string {
  const publicUrl = withoutCredentials(url);
  const name = `${slug(publicUrl)}-${createHash('sha256').update(publicUrl).digest('hex').slice(0, 12)}.git`;
  return join(cacheRoot, 'repos', name);
}

export async function mirrorCommit(
  url: string,
  ref: string,
  options: {
    cacheRoot: string;
    signal?: AbortSignal | undefined;
    onProgress?: (message: string) => void;
    /** Limit of one clone or fetch; default SIGSTORM_GIT_TIMEOUT seconds, else 30 minutes. */
    timeoutMs?: number;
  },
): Promise<{ gitDir: string; commit: string }> {
  const gitDir = mirrorDir(options.cacheRoot, url);
  const root = dirname(gitDir);
  const name = basename(gitDir);
  const publicUrl = withoutCredentials(url);
  await makeDir(root);
  const timeoutMs = options.timeoutMs ?? gitTimeoutMs();
  return withFileLock(
    join(root, `${name}.lock`),
    async () => {
      const fresh = !(await pathExists(join(gitDir, 'HEAD')));
      if (fresh) {
        options.onProgress?.(`cloning ${publicUrl}`);
        await sweepTempDirs(root);
        const tmp = await newTempDir(root, 'clone');
        // Interrupted, timed out or failed: the partial clone goes, and nothing else is left.
        try {
          const clone = await gitRemote(
            url,
            ['clone', '--mirror', '--quiet', '{url}', join(tmp, 'repo.git')],
            {
              cwd: root,
              signal: options.signal,
              timeoutMs,
            },
          );
          if (!clone.ok) {
            throw new SigstormError(
              clone.timedOut
                ? `Cloning ${publicUrl} took longer than ${timeoutMs / 1000} s; stopped`
                : `Could not clone ${publicUrl}`,
              {
                details: tail(clone.stderr),
                hint: clone.timedOut
                  ? 'Check that the server answers; SIGSTORM_GIT_TIMEOUT (seconds) sets the limit.'
                  : 'Check the URL; git must be able to clone it without prompting (credentials, network).',
              },
            );
          }
          await publishDir(join(tmp, 'repo.git'), gitDir);
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
      }
      await touchEntry(gitDir);
      const known = /^[0-9a-f]{40}$/i.test(ref) ? await resolveCommit(gitDir, ref) : undefined;
      if (known) return { gitDir, commit: known };
      if (!fresh) {
        options.onProgress?.(`fetching ${publicUrl}`);
        const fetch = await gitRemote(url, ['fetch', '--prune', '--quiet', '{url}', '+refs/*:refs/*'], {
          cwd: gitDir,
          signal: options.signal,
          timeoutMs,
        });
        if (!fetch.ok)
          options.onProgress?.(`fetch failed, using the mirror as it is: ${tail(fetch.stderr, 1)}`);
      }
      const commit = await resolveCommit(gitDir, ref);
      if (!commit) {
        throw new UsageError(`${publicUrl} has no ref "${ref}"`, {
          hint: 'Give a branch, tag or commit that exists there (`git ls-remote <url>` lists them).',
        });
      }
      return { gitDir, commit };
    },
    { signal: options.signal },
  );
}

function gitTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.SIGSTORM_GIT_TIMEOUT);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30 * 60 * 1000;
}

function slug(url: string): string {
  const last = url.replace(/\/+$/, '').split(/[/:]/).at(-1) ?? 'repo';
  return last.replace(/\.git$/, '').replace(/[^A-Za-z0-9._-]/g, '_') || 'repo';
}

function tail(text: string, lines = 20): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
