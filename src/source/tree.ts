import { basename, relative } from 'node:path';
import { z } from 'zod';
import { bundledSubjectDir, installRoot } from '../util/paths.js';

/** What to build: a repository (path or URL; default the bundled subject), a ref and a patch series. */
export const TreeSpec = z.object({
  /** Local path (git repository or plain directory) or git URL. Default: the bundled test subject. */
  repo: z.string().min(1).optional(),
  /** Branch, tag or commit. Default: HEAD; for the bundled subject, its current working-copy content. */
  ref: z.string().min(1).optional(),
  /** Patch files applied in order with `git apply` (paths relative to the current directory). */
  patches: z.array(z.string().min(1)).readonly().default([]),
});
export type TreeSpec = z.input<typeof TreeSpec>;

/** Where a tree came from: what reports and build manifests record. */
export interface TreeOrigin {
  /** Absolute path or URL of the repository. */
  readonly repo: string;
  /** The ref asked for; null when the directory's current content was copied. */
  readonly ref: string | null;
  /** The commit the ref resolved to; null for copied directories. */
  readonly commit: string | null;
  /** Absolute paths of the applied patches, in order. */
  readonly patches: readonly string[];
}

/** A materialised source tree in the cache. Never modify `dir`: it is shared by content. */
export interface Tree extends TreeOrigin {
  readonly dir: string;
  /** Content hash of the tree after patches (see tree-hash.ts). */
  readonly hash: string;
}

/** One line for messages: `bundled subject (working copy) + a.patch + b.patch`. */
export function describeTree(origin: TreeOrigin): string {
  const repo =
    origin.repo === bundledSubjectDir
      ? `bundled subject ${relative(installRoot, bundledSubjectDir)}`
      : shortPath(origin.repo);
  const at =
    origin.ref === null
      ? '(working copy)'
      : `at ${origin.ref}${origin.commit ? ` (${origin.commit.slice(0, 12)})` : ''}`;
  const patches = origin.patches.map((patch) => ` + ${basename(patch)}`).join('');
  return `${repo} ${at}${patches}`;
}

/** A path under the current directory is shown relative to it; anything else as given. */
function shortPath(repo: string): string {
  if (!repo.startsWith('/')) return repo;
  const inside = relative(process.cwd(), repo);
  return inside === '' ? '.' : inside.startsWith('..') ? repo : inside;
}
