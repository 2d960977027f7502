/** Helpers for the builder's tests: temp copies of test/fixtures/* as plain directories or git repos. */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { installRoot } from '../../src/util/paths.js';

export const fixturesDir = join(installRoot, 'test', 'fixtures');

const made: string[] = [];

export async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `sigstorm-${label}-`));
  made.push(dir);
  return dir;
}

/** Removes every temp dir made by this file's tests (call from afterAll). */
export async function removeTempDirs(): Promise<void> {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
}

/** A copy of test/fixtures/<name> in a new temp dir (not a git repository). */
export async function fixtureCopy(name: string): Promise<string> {
  const dir = join(await tempDir(name), name);
  await cp(join(fixturesDir, name), dir, { recursive: true });
  return dir;
}

export async function gitIn(dir: string, ...args: string[]): Promise<string> {
  const result = await execa('git', args, {
    cwd: dir,
    env: {
      GIT_AUTHOR_NAME: 'sigstorm test',
      GIT_AUTHOR_EMAIL: 'test@sigstorm.invalid',
      GIT_COMMITTER_NAME: 'sigstorm test',
      GIT_COMMITTER_EMAIL: 'test@sigstorm.invalid',
    },
  });
  return result.stdout;
}

/** A git repository holding test/fixtures/<name> as its first commit (on branch main). */
export async function fixtureRepo(name: string): Promise<string> {
  const dir = await fixtureCopy(name);
  await gitIn(dir, 'init', '-q', '-b', 'main');
  await gitIn(dir, 'add', '-A');
  await gitIn(dir, 'commit', '-q', '-m', `${name} v1`);
  return dir;
}

/** Writes `content` to `file` in the repo and commits it. */
export async function commitFile(
  repo: string,
  file: string,
  content: string,
  message: string,
): Promise<void> {
  await writeFile(join(repo, file), content);
  await gitIn(repo, 'add', file);
  await gitIn(repo, 'commit', '-q', '-m', message);
}

/** The symbol table of an ELF program, as `nm` prints it (undefined dynamic symbols included). */
export async function symbolsOf(binary: string): Promise<string> {
  return (await execa('nm', [binary])).stdout;
}
