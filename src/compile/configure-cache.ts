import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { SandboxMode } from '../sandbox/sandbox.schema.js';
import { touchEntry } from '../util/cache-budget.js';
import { newTempDir, publishDir } from '../util/cache-entry.js';
import { pathExists } from '../util/path-exists.js';
import type { CompilerIdentity } from './compiler.js';
import { listTreeFiles, sha256 } from './tree-files.js';

/** The name configure is given (`--cache-file=config.cache`), in the build directory. */
export const configureCacheFile = 'config.cache';

/**
 * Stands for the build directory's path (as its build sees it) in kept cache files and keys:
 * unsandboxed, every build has its own path (in CFLAGS' -ffile-prefix-map, and in what configure
 * caches of it), which is put back on the way in.
 */
const treePlaceholder = '@SIGSTORM_BUILD_TREE@';

/**
 * The key of a configure cache file: what makes configure's cached answers what it would compute
 * here. The configure script's own content, its arguments (CC, CFLAGS, LDFLAGS, switches), the
 * compiler, the sandbox it runs in, and the state of the system's headers and libraries (the
 * mtimes of the compiler's search directories, ld.so.cache and dpkg's status: installing a
 * library changes the key). And the tree's headers: a configure test that includes one (`-I.`, a
 * project's own config header) answers from it, and a pull request's head, built first, must not
 * hand its answers to base's configure. A head that changes only C sources shares base's file.
 */
export async function configureCacheKey(parts: {
  configure: string;
  /** The tree configure runs in: its headers are in the key (below). */
  tree: string;
  args: readonly string[];
  /** The build directory as configure sees it. */
  seenAs: string;
  compiler: CompilerIdentity;
  sandbox: SandboxMode;
}): Promise<string> {
  const identity = JSON.stringify({
    configure: sha256(await readFile(parts.configure)),
    headers: await headersHash(parts.tree),
    args: parts.args.map((arg) => arg.replaceAll(parts.seenAs, treePlaceholder)),
    compiler: { command: parts.compiler.command, path: parts.compiler.path, version: parts.compiler.version },
    sandbox: parts.sandbox,
    system: await systemState(parts.compiler.command),
  });
  return sha256(identity).slice(0, 24);
}

/** Copies the kept cache file (if any) into `work`; true when there was one. */
export async function copyConfigureCacheIn(
  root: string,
  key: string,
  work: string,
  seenAs: string,
): Promise<boolean> {
  const kept = join(root, key);
  const text = await readFile(join(kept, configureCacheFile), 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  await writeFile(join(work, configureCacheFile), text.replaceAll(treePlaceholder, seenAs));
  await touchEntry(kept);
  return true;
}

/** After a successful configure: keeps its cache file, unless one is kept already (the first one wins). */
export async function keepConfigureCache(
  root: string,
  key: string,
  work: string,
  seenAs: string,
): Promise<void> {
  if (await pathExists(join(root, key))) return;
  const text = await readFile(join(work, configureCacheFile), 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const tmp = await newTempDir(root, key);
  try {
    await writeFile(join(tmp, configureCacheFile), text.replaceAll(seenAs, treePlaceholder));
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  await publishDir(tmp, join(root, key));
}

const states = new Map<string, { at: number; state: Promise<string> }>();

/** Probed at most once a minute: a long-running server sees a library installed meanwhile. */
function systemState(cc: string): Promise<string> {
  const known = states.get(cc);
  if (known && Date.now() - known.at < 60_000) return known.state;
  const state = probeSystemState(cc);
  states.set(cc, { at: Date.now(), state });
  return state;
}

async function probeSystemState(cc: string): Promise<string> {
  const verbose = await execa(cc, ['-E', '-v', '-x', 'c', '/dev/null', '-o', '/dev/null'], {
    reject: false,
    stdin: 'ignore',
  });
  const includes = /#include <\.\.\.> search starts here:\n([\s\S]*?)End of search list/.exec(verbose.stderr);
  const searchDirs = await execa(cc, ['-print-search-dirs'], { reject: false, stdin: 'ignore' });
  const libraries = /^libraries: =?(.*)$/m.exec(searchDirs.stdout)?.[1] ?? '';
  const paths = [
    ...(includes?.[1] ?? '').split('\n').map((line) => line.trim()),
    ...libraries.split(':'),
    '/usr/include',
    '/usr/local/include',
    '/usr/lib',
    '/usr/local/lib',
    '/usr/lib/pkgconfig',
    '/usr/share/pkgconfig',
    '/etc/ld.so.cache',
    '/var/lib/dpkg/status',
  ].filter((path) => path !== '');
  const lines: string[] = [];
  for (const path of [...new Set(paths)].sort()) {
    const info = await stat(path).catch(() => undefined);
    lines.push(`${path} ${info ? `${info.mtimeMs} ${info.size}` : 'missing'}`);
  }
  return sha256(lines.join('\n'));
}

const header = /\.(h|hh|hpp|hxx)$/;

/** The hash of every header's path and content in `tree`. */
async function headersHash(tree: string): Promise<string> {
  const files = await listTreeFiles(tree, (path) => header.test(path));
  const lines = [...files].map(([path, f]) => `${f.hash} ${path}`);
  return sha256(lines.join('\n'));
}
