import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
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

/**
 * The fixture as created (the subject committed on `main`, nothing else), once per test process: every
 * later fixture is a copy of it (one `cp` instead of six git commands; the same commit, as its author
 * and dates are fixed). Removed when the process exits.
 */
let template: Promise<{ path: string; baseSha: string }> | undefined;

function pristine() {
  template ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigstorm-fixture-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'fork');
    return { path, baseSha: await initFixture(path) };
  })();
  return template;
}

/** The fixture at `path` (which must not exist yet). */
export async function createFixtureRepo(path: string): Promise<FixtureRepo> {
  const { path: original, baseSha } = await pristine();
  await mkdir(dirname(path), { recursive: true });
  await execa('cp', ['-a', original, path]);
  const git = gitIn(path);
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

/** Git in the fixture at `path`, as its fixed author and committer at a fixed date. */
function gitIn(path: string) {
  return (...args: string[]) =>
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
}

/** A new repository at `path` with the bundled subject committed on `main`; returns that commit's sha. */
async function initFixture(path: string): Promise<string> {
  await mkdir(path, { recursive: true });
  const git = gitIn(path);
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
  return (await git('rev-parse', 'HEAD')).stdout.trim();
}
