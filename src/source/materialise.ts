import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { touchEntry } from '../util/cache-budget.js';
import { newTempDir, publishDir, sweepTempDirs } from '../util/cache-entry.js';
import { UsageError } from '../util/errors.js';
import { pathExists } from '../util/path-exists.js';
import { bundledSubjectDir, cacheRoot as defaultCacheRoot } from '../util/paths.js';
import { applyPatches } from './apply-patches.js';
import { checkPatchFiles } from './check-patch-files.js';
import { copyFiles } from './copy-files.js';
import { exportGitTree } from './export-git-tree.js';
import { git, isGitUrl, locateGit, resolveCommit, withoutCredentials } from './git.js';
import { listWorkingFiles } from './list-working-files.js';
import { mirrorCommit } from './repo-mirror.js';
import { describeTree, type Tree, type TreeOrigin, TreeSpec } from './tree.js';
import { hashTree } from './tree-hash.js';

export interface MaterialiseOptions {
  /** Default: SIGSTORM_CACHE_DIR or ~/.cache/sigstorm. */
  readonly cacheRoot?: string;
  /** Relative `repo` and patch paths are resolved against this. Default: process.cwd(). */
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
}

/** Where the content comes from, before it is copied. */
type Source =
  | { readonly kind: 'working-copy'; readonly dir: string; readonly repo: string }
  | {
      readonly kind: 'git';
      readonly gitDir: string;
      readonly treeish: string;
      readonly repo: string;
      readonly ref: string;
      readonly commit: string;
    };

/**
 * Puts the tree described by `spec` into `<cacheRoot>/trees/<hash>/` and returns it. The user's
 * repository is only read (`git archive`, or a copy of the working directory); patches are applied
 * to the copy. Same content, same directory: materialising twice costs a copy, never a rebuild.
 */
export async function materialise(spec: TreeSpec, options: MaterialiseOptions = {}): Promise<Tree> {
  const parsed = TreeSpec.parse(spec);
  const cwd = options.cwd ?? process.cwd();
  const patches = await checkPatchFiles(parsed.patches, cwd);
  const root = join(options.cacheRoot ?? defaultCacheRoot(), 'trees');
  const source = await locateSource(parsed.repo, parsed.ref, cwd, options);
  const origin: TreeOrigin =
    source.kind === 'git'
      ? { repo: source.repo, ref: source.ref, commit: source.commit, patches }
      : { repo: source.repo, ref: null, commit: null, patches };
  await sweepTempDirs(root);
  const tmp = await newTempDir(root, 'tree');
  try {
    options.onProgress?.(`materialising ${describeTree({ ...origin, patches: [] })}`);
    if (source.kind === 'git') await exportGitTree(source.gitDir, source.treeish, tmp, options.signal);
    else await copyFiles(source.dir, tmp, await listWorkingFiles(source.dir));
    await applyPatches(tmp, patches, {
      describe: describeTree({ ...origin, patches: [] }),
      signal: options.signal,
      onApply: (patch) => options.onProgress?.(`applying ${patch}`),
    });
    const hash = await hashTree(tmp);
    const dir = join(root, hash);
    // An existing copy of the same tree counts as used now.
    if ((await publishDir(tmp, dir)) === 'existed') await touchEntry(dir);
    return { ...origin, dir, hash };
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

async function locateSource(
  repo: string | undefined,
  ref: string | undefined,
  cwd: string,
  options: MaterialiseOptions,
): Promise<Source> {
  if (repo !== undefined && isGitUrl(repo)) {
    const wanted = ref ?? 'HEAD';
    const mirror = await mirrorCommit(repo, wanted, {
      cacheRoot: options.cacheRoot ?? defaultCacheRoot(),
      signal: options.signal,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return {
      kind: 'git',
      gitDir: mirror.gitDir,
      treeish: mirror.commit,
      repo: withoutCredentials(repo),
      ref: wanted,
      commit: mirror.commit,
    };
  }
  const dir = repo === undefined ? bundledSubjectDir : resolve(cwd, repo);
  if (!(await pathExists(dir))) {
    throw new UsageError(`Repository not found: ${dir}`, {
      hint: 'Give --repo as a path to a git repository or directory, or as a git URL.',
    });
  }
  // The bundled subject is built as it is on disk, uncommitted edits included, unless a ref is asked for.
  if (repo === undefined && ref === undefined) return { kind: 'working-copy', dir, repo: dir };
  const location = await locateGit(dir);
  if (!location) {
    if (ref !== undefined) {
      throw new UsageError(`${dir} is not a git repository, so --ref ${ref} cannot be resolved there`, {
        hint: 'Drop --ref to build the directory as it is, or point --repo at a git repository.',
      });
    }
    return { kind: 'working-copy', dir, repo: dir };
  }
  const wanted = ref ?? 'HEAD';
  const commit = await resolveCommit(location.gitDir, wanted);
  if (!commit) {
    throw new UsageError(`${dir} has no ref "${wanted}"`, {
      hint: 'Give a branch, tag or commit of that repository (`git -C <repo> log --oneline` shows them).',
    });
  }
  const treeish = location.prefix === '' ? commit : `${commit}:${location.prefix}`;
  if (!(await git(['cat-file', '-e', treeish], { cwd: location.gitDir })).ok) {
    throw new UsageError(`${dir} does not exist in its repository at ${wanted} (${commit.slice(0, 12)})`, {
      hint: 'Commit the directory first, or give a ref that contains it. Without --ref sigstorm builds HEAD.',
    });
  }
  return { kind: 'git', gitDir: location.gitDir, treeish, repo: dir, ref: wanted, commit };
}
