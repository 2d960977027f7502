import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isElfHeader } from '../source/generated-files.js';
import { SigstormError } from '../util/errors.js';
import { binaryHint } from './build-error.js';

/** The program a build returns unless told otherwise, relative to the tree. */
export const defaultBinary = 'src/iperf3';

/**
 * Finds the built program at `wanted` (relative to the tree) and returns its relative path. Must be
 * a real ELF executable: when libtool left a wrapper script there (shared build), the program it
 * wraps in `.libs/` is returned instead.
 */
export async function findBinary(treeDir: string, wanted: string): Promise<string> {
  const kind = await fileKind(join(treeDir, wanted));
  if (kind === 'elf') return wanted;
  if (kind === 'libtool-wrapper') {
    for (const name of [basename(wanted), `lt-${basename(wanted)}`]) {
      const inner = join(dirname(wanted), '.libs', name);
      if ((await fileKind(join(treeDir, inner))) === 'elf') return inner;
    }
  }
  const found = await elfExecutables(treeDir, '', 4);
  const what =
    kind === 'missing' ? 'no file' : kind === 'libtool-wrapper' ? 'a libtool wrapper' : 'a non-ELF file';
  throw new SigstormError(`The build finished but left ${what} at ${wanted}, not an ELF program`, {
    details:
      found.length > 0
        ? `ELF programs the build did produce:\n${found.slice(0, 10).join('\n')}`
        : 'The build produced no ELF program at all.',
    hint: binaryHint(),
  });
}

type FileKind = 'missing' | 'elf' | 'libtool-wrapper' | 'other';

async function fileKind(path: string): Promise<FileKind> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'EISDIR')) {
      return 'missing';
    }
    throw error;
  }
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(512), 0, 512, 0);
    const head = buffer.subarray(0, bytesRead);
    if (isElfHeader(head)) return 'elf';
    return head.toString('latin1').includes('temporary wrapper script for') ? 'libtool-wrapper' : 'other';
  } finally {
    await handle.close();
  }
}

async function elfExecutables(root: string, relative: string, depth: number): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(root, relative), { withFileTypes: true })) {
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory() && depth > 0) found.push(...(await elfExecutables(root, path, depth - 1)));
    else if (entry.isFile() && !/\.(o|lo|a|so[.\d]*)$/.test(entry.name)) {
      const info = await stat(join(root, path));
      if (info.mode & 0o111 && (await fileKind(join(root, path))) === 'elf') found.push(path);
    }
  }
  return found;
}
