import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { pathExists } from '../util/path-exists.js';

/**
 * How a tree is built. `autotools`: configure.ac (with `configure` present or to be generated);
 * `make`: a plain Makefile that honours CC/CFLAGS/LDFLAGS given on make's command line.
 */
export type TreeKind =
  | { readonly kind: 'autotools'; readonly bootstrap: BootstrapMethod | null }
  | { readonly kind: 'make' };

/** How `configure` is (re)generated when missing or older than its inputs. */
export type BootstrapMethod = 'bootstrap.sh' | 'autogen.sh' | 'autoreconf';

/**
 * `label` names the tree in errors as the user gave it (`dir` is the cache's copy, which means
 * nothing to them). A tree sigstorm cannot build is bad input: it is found before any build starts.
 */
export async function detectTreeKind(dir: string, label: string = dir): Promise<TreeKind> {
  const has = (name: string): Promise<boolean> => pathExists(join(dir, name));
  const autotools = (await has('configure.ac')) || (await has('configure.in'));
  if (autotools) {
    const needed = !(await has('configure')) || (await inputsNewerThanConfigure(dir));
    if (!needed) return { kind: 'autotools', bootstrap: null };
    if (await has('bootstrap.sh')) return { kind: 'autotools', bootstrap: 'bootstrap.sh' };
    if (await has('autogen.sh')) return { kind: 'autotools', bootstrap: 'autogen.sh' };
    return { kind: 'autotools', bootstrap: 'autoreconf' };
  }
  if ((await has('configure')) && !(await has('Makefile'))) {
    throw new UsageError(`${label} has a configure script but no configure.ac`, {
      hint: 'sigstorm builds autotools trees (configure.ac) and plain Makefile trees; hand-written configure scripts are not supported.',
    });
  }
  for (const name of ['GNUmakefile', 'makefile', 'Makefile']) if (await has(name)) return { kind: 'make' };
  throw new UsageError(`Don't know how to build ${label}: no configure.ac and no Makefile`, {
    hint: 'Point --repo at the root of an autotools tree (configure.ac) or of a tree with a Makefile.',
  });
}

/** A patch to configure.ac or a Makefile.am makes the committed configure stale: regenerate it. */
async function inputsNewerThanConfigure(dir: string): Promise<boolean> {
  const configure = (await stat(join(dir, 'configure'))).mtimeMs;
  const inputs = ['configure.ac', 'configure.in', 'aclocal.m4', ...(await findNamed(dir, 'Makefile.am', 3))];
  for (const input of inputs) {
    const info = await stat(join(dir, input)).catch(() => undefined);
    if (info && info.mtimeMs > configure) return true;
  }
  return false;
}

async function findNamed(dir: string, name: string, depth: number, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isFile() && entry.name === name) found.push(path);
    else if (entry.isDirectory() && depth > 0 && !entry.name.startsWith('.')) {
      found.push(...(await findNamed(dir, name, depth - 1, path)));
    }
  }
  return found;
}
