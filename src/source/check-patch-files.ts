import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../util/errors.js';

/**
 * Resolves patch paths against `cwd` and checks each is a readable file holding a diff, so that a
 * wrong path or a file that is not a patch is named as such before anything is exported or built.
 */
export async function checkPatchFiles(patches: readonly string[], cwd: string): Promise<string[]> {
  const resolved: string[] = [];
  for (const patch of patches) {
    const path = resolve(cwd, patch);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) {
      throw new UsageError(`Patch file not found: ${path}`, {
        hint: 'Give patch files as paths relative to the current directory, separated by commas.',
      });
    }
    if (!isPatchText(await readFile(path, 'utf8'))) {
      throw new UsageError(`${path} is not a patch: no diff hunks found`, {
        hint: 'Give a unified diff, as `git diff` or `git format-patch` writes it.',
      });
    }
    resolved.push(path);
  }
  return resolved;
}

/** A unified diff has hunks (`@@ -a,b +c,d @@`); git's own diffs may change only modes, names or binaries. */
export function isPatchText(text: string): boolean {
  return /^@@ -\d+(,\d+)? \+\d+(,\d+)? @@/m.test(text) || /^diff --git /m.test(text);
}
