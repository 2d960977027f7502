import { basename, relative } from 'node:path';
import { bundledPatchesDir, bundledSubjectDir, installRoot } from '../util/paths.js';
import { git, isGitUrl, withoutCredentials } from './git.js';
import type { TreeOrigin } from './tree.js';

/**
 * A tree as somebody else can get it: the repository's URL without credentials (null: the bundled
 * subject, which ships with sigstorm), the commit (null: the bundled subject's working copy) and
 * the patches as the user named them. Never a path of the validating machine's cache.
 */
export interface PublicSource {
  readonly repo: string | null;
  readonly commit: string | null;
  readonly patches: readonly string[];
}

/**
 * A local repository is named by its `origin` remote when it has one (a CI checkout's is the
 * forge's URL), else by its path relative to the current directory; patches relative to it too.
 */
export async function publicSource(
  origin: TreeOrigin,
  { repo: named, cwd = process.cwd() }: { readonly repo?: string | undefined; readonly cwd?: string } = {},
): Promise<PublicSource> {
  const patches = origin.patches.map((p) => shown(p, cwd));
  if (named !== undefined) return { repo: withoutCredentials(named), commit: origin.commit, patches };
  if (origin.repo === bundledSubjectDir) return { repo: null, commit: origin.commit, patches };
  if (isGitUrl(origin.repo)) return { repo: withoutCredentials(origin.repo), commit: origin.commit, patches };
  const remote = await git(['remote', 'get-url', 'origin'], { cwd: origin.repo });
  const url = remote.ok ? remote.stdout.trim() : '';
  const inside = relative(cwd, origin.repo);
  const path = inside === '' ? '.' : inside.startsWith('..') ? origin.repo : inside;
  const repo = url !== '' && isGitUrl(url) ? withoutCredentials(url) : path;
  return { repo, commit: origin.commit, patches };
}

/**
 * A patch that ships with sigstorm as `patches/NAME` (`sigstorm repro` finds it there from any
 * directory); a path inside `cwd` relative to it; anything else by its file name (the repro bundle
 * carries the file).
 */
function shown(path: string, cwd: string): string {
  if (!relative(bundledPatchesDir, path).startsWith('..')) return relative(installRoot, path);
  const inside = relative(cwd, path);
  return inside === '' ? '.' : inside.startsWith('..') || inside.startsWith('/') ? basename(path) : inside;
}
