import { mkdir, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { execa } from 'execa';
import { bundledPatchesDir, installRoot } from '../../../src/util/paths.js';

/**
 * A local git repository standing in for the user's iperf3 fork on GitHub: the bundled subject
 * committed on `main` as the base, and one commit per patch from patches/ as pull-request heads.
 * The app clones it through SIGSTORM_REPO_MAP; webhook payloads carry these commits' shas.
 */
export interface FixtureRepo {
  readonly path: string;
  readonly baseSha: string;
  /**
   * Commits a patch from patches/ (or at an absolute path) on top of `parent` (default: base), with
   * the patch's file name as its subject; returns the commit sha.
   */
  commitPatch(patch: string, parent?: string): Promise<string>;
  /**
   * A new commit with the same tree as `parent` (a rebase, an amended message): a different sha for
   * GitHub, the same content for the build cache, so tests get new pushes without new builds.
   */
  commitEmpty(parent: string, message: string): Promise<string>;
  /** Commits files (path relative to the tree → content, mode 755) on top of `parent`: a hand-made head. */
  commitFiles(files: Readonly<Record<string, string>>, message: string, parent?: string): Promise<string>;
  tag(name: string, sha: string): Promise<void>;
  /**
   * What GitHub does for pull request `number`: its head at refs/pull/N/head (on no branch: a fork's
   * pull request). The repository serves a fetch by sha only for commits its refs reach, as GitHub does.
   */
  pullRef(number: number, sha: string): Promise<void>;
}

export async function createFixtureRepo(path: string): Promise<FixtureRepo> {
  await mkdir(path, { recursive: true });
  const git = (...args: string[]) =>
    execa('git', args, {
      cwd: path,
      env: {
        GIT_AUTHOR_NAME: 'Fixture',
        GIT_AUTHOR_EMAIL: 'fixture@example.invalid',
        GIT_COMMITTER_NAME: 'Fixture',
        GIT_COMMITTER_EMAIL: 'fixture@example.invalid',
        GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
        GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
      },
    });
  await git('init', '-q', '-b', 'main');
  // As GitHub: a want by sha is served for any commit a ref reaches (refs/pull/* included), no other.
  await git('config', 'uploadpack.allowReachableSHA1InWant', 'true');
  // The subject as committed (no build products): what a fork's repository would hold.
  await execa('git', ['archive', '--format=tar', 'HEAD:test/subject'], { cwd: installRoot }).pipe('tar', [
    '-x',
    '-C',
    path,
  ]);
  await git('add', '-A');
  await git('commit', '-q', '-m', 'subject');
  const baseSha = (await git('rev-parse', 'HEAD')).stdout.trim();
  return {
    path,
    baseSha,
    async commitPatch(patch, parent = baseSha) {
      await git('checkout', '-q', '--detach', parent);
      await git('apply', '--index', isAbsolute(patch) ? patch : join(bundledPatchesDir, patch));
      await git('commit', '-q', '-m', basename(patch));
      const sha = (await git('rev-parse', 'HEAD')).stdout.trim();
      await git('checkout', '-q', 'main');
      return sha;
    },
    async pullRef(number, sha) {
      await git('update-ref', `refs/pull/${number}/head`, sha);
    },
    async commitEmpty(parent, message) {
      await git('checkout', '-q', '--detach', parent);
      await git('commit', '-q', '--allow-empty', '-m', message);
      const sha = (await git('rev-parse', 'HEAD')).stdout.trim();
      await git('checkout', '-q', 'main');
      return sha;
    },
    async commitFiles(files, message, parent = baseSha) {
      await git('checkout', '-q', '--detach', parent);
      for (const [file, content] of Object.entries(files)) {
        await writeFile(join(path, file), content, { mode: 0o755 });
        await git('add', file);
      }
      await git('commit', '-q', '-m', message);
      const sha = (await git('rev-parse', 'HEAD')).stdout.trim();
      await git('checkout', '-q', 'main');
      return sha;
    },
    async tag(name, sha) {
      await git('tag', name, sha);
    },
  };
}
