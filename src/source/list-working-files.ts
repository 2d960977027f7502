import { lstat, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { isErrno } from '../util/file-lock.js';
import { isBuildProduct, isGeneratedDir, isGeneratedFile } from './generated-files.js';
import { git, locateGit } from './git.js';

/**
 * The source files of a working directory (relative `/`-separated paths), as a person sees them:
 * inside a git work tree, the tracked files plus untracked ones that `.gitignore` does not exclude
 * (uncommitted edits included); elsewhere every file. Untracked build output (autotools files,
 * objects, ELF programs) is left out either way.
 */
export async function listWorkingFiles(dir: string): Promise<string[]> {
  const location = await locateGit(dir);
  const candidates =
    location && !location.bare ? await gitCandidates(dir) : { tracked: [], untracked: await walk(dir, '') };
  const autotools = await hasAutotoolsInput(dir);
  const byDir = new Map<string, Set<string>>();
  for (const path of [...candidates.tracked, ...candidates.untracked]) {
    const parent = posix.dirname(path);
    const names = byDir.get(parent) ?? new Set<string>();
    names.add(posix.basename(path));
    byDir.set(parent, names);
  }
  const kept: string[] = [];
  for (const path of candidates.tracked) {
    if (await isFileOrLink(join(dir, path))) kept.push(path);
  }
  for (const path of candidates.untracked) {
    const siblings = byDir.get(posix.dirname(path)) ?? new Set<string>();
    if (isGeneratedFile(path, { autotools, siblings })) continue;
    if (!(await isFileOrLink(join(dir, path)))) continue;
    if ((await lstat(join(dir, path))).isFile() && (await isBuildProduct(join(dir, path)))) continue;
    kept.push(path);
  }
  return [...new Set(kept)].sort();
}

async function gitCandidates(dir: string): Promise<{ tracked: string[]; untracked: string[] }> {
  const list = async (args: string[]): Promise<string[]> => {
    const result = await git(['ls-files', '-z', ...args], { cwd: dir });
    if (!result.ok) throw new Error(`git ls-files failed in ${dir}: ${result.stderr}`);
    return result.stdout.split('\0').filter((path) => path !== '');
  };
  return { tracked: await list(['--cached']), untracked: await list(['--others', '--exclude-standard']) };
}

async function walk(root: string, relative: string): Promise<string[]> {
  const entries = await readdir(join(root, relative), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!isGeneratedDir(path)) files.push(...(await walk(root, path)));
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      files.push(path);
    }
  }
  return files;
}

async function isFileOrLink(path: string): Promise<boolean> {
  try {
    const info = await lstat(path);
    return info.isFile() || info.isSymbolicLink();
  } catch (error) {
    // Tracked but deleted in the working copy: the working copy is what we copy.
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return false;
    throw error;
  }
}

async function hasAutotoolsInput(dir: string): Promise<boolean> {
  for (const name of ['configure.ac', 'configure.in']) {
    if (await isFileOrLink(join(dir, name))) return true;
  }
  return false;
}
