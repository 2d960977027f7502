import { open } from 'node:fs/promises';
import { basename, dirname, posix } from 'node:path';

/**
 * Files a build produces rather than a person writes: autotools output, objects, libtool state.
 * Used when copying a working directory (the bundled subject during development, a non-git
 * directory) so that a stray in-place build never changes the tree's identity. Trees exported
 * from git keep exactly what was committed, generated or not.
 */
const generatedDirs = new Set(['.git', 'autom4te.cache', '.deps', '.libs', 'node_modules']);

const autotoolsOutputs = new Set([
  'configure',
  'Makefile.in',
  'aclocal.m4',
  'config.status',
  'config.log',
  'config.cache',
  'config.h',
  'config.h.in',
  'config.h.in~',
  'libtool',
  'ltmain.sh',
  'compile',
  'depcomp',
  'install-sh',
  'missing',
  'config.guess',
  'config.sub',
  'ar-lib',
  'test-driver',
  'ylwrap',
  '.dirstamp',
]);

const generatedSuffixes = ['.o', '.lo', '.la', '.a', '.so', '.gcda', '.gcno', '.log', '.trs'];

/** True when the path (relative, `/`-separated) names a directory never copied. */
export function isGeneratedDir(relativePath: string): boolean {
  return generatedDirs.has(posix.basename(relativePath));
}

export interface TreeContext {
  /** The tree's root has a `configure.ac` (or `configure.in`): autotools outputs are generated. */
  readonly autotools: boolean;
  /** File names in the same directory, so `Makefile` counts only next to a `Makefile.am`/`.in`. */
  readonly siblings: ReadonlySet<string>;
}

/** True when the file (relative, `/`-separated path) is build output rather than source. */
export function isGeneratedFile(relativePath: string, context: TreeContext): boolean {
  const name = basename(relativePath);
  if (
    dirname(relativePath)
      .split('/')
      .some((part) => generatedDirs.has(part))
  )
    return true;
  if (generatedSuffixes.some((suffix) => name.endsWith(suffix))) return true;
  if (!context.autotools) return false;
  if (autotoolsOutputs.has(name) || /^stamp-h\d*$/.test(name)) return true;
  if (name === 'Makefile' && (context.siblings.has('Makefile.am') || context.siblings.has('Makefile.in'))) {
    return true;
  }
  // libtool's m4 files, copied in by `libtoolize`.
  return /^(libtool|ltoptions|ltsugar|ltversion|lt~obsolete)\.m4$/.test(name);
}

/** True for a compiled program or library (ELF) or a libtool wrapper script: output, never source. */
export async function isBuildProduct(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(512), 0, 512, 0);
    const head = buffer.subarray(0, bytesRead);
    return isElfHeader(head) || head.toString('latin1').includes('temporary wrapper script for');
  } finally {
    await handle.close();
  }
}

export function isElfHeader(head: Buffer): boolean {
  return head.length >= 4 && head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
}
