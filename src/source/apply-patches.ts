import { basename } from 'node:path';
import { UsageError } from '../util/errors.js';
import { git, isolatedFrom } from './git.js';
import { readPatchHeader } from './patch-header.js';

/**
 * Applies each patch in order with `git apply` inside `treeDir`. git is kept from discovering an
 * enclosing repository (the cache may live inside one), where it would silently skip every file.
 */
export async function applyPatches(
  treeDir: string,
  patches: readonly string[],
  context: { describe: string; signal?: AbortSignal | undefined; onApply?: (patch: string) => void },
): Promise<void> {
  for (const [index, patch] of patches.entries()) {
    context.onApply?.(patch);
    const result = await git(['apply', '--verbose', '--whitespace=nowarn', patch], {
      cwd: treeDir,
      env: isolatedFrom(treeDir),
      signal: context.signal,
    });
    if (result.ok) continue;
    const errors = result.stderr.split('\n').filter((line) => line.trim() !== '');
    const failed =
      errors.find((line) => line.startsWith('error: patch failed:')) ??
      errors.find((line) => line.startsWith('error:')) ??
      errors.at(-1) ??
      'git apply failed without a message';
    // A patch that does not apply is the user's input to fix, found before anything is built.
    throw new UsageError(
      `Patch ${basename(patch)} (#${index + 1} of ${patches.length}) does not apply to ${context.describe}: ${failed}`,
      {
        details: [`patch file: ${patch}`, ...errors.filter((line) => !line.startsWith('Checking patch'))]
          .slice(0, 40)
          .join('\n'),
        hint: await hintFor(patch, patches.slice(0, index), failed),
      },
    );
  }
}

async function hintFor(patch: string, before: readonly string[], failed: string): Promise<string> {
  if (/corrupt patch|patch fragment without header|No valid patches/i.test(failed)) {
    return `${basename(patch)} is damaged (hand-edited hunk counts, a truncated file, changed whitespace). Regenerate it with \`git diff\` or \`git format-patch\`.`;
  }
  const header = await readPatchHeader(patch);
  const applied = new Set(before.map((path) => basename(path)));
  const missing = header.appliesAfter.filter((name) => !applied.has(basename(name)));
  if (missing.length > 0) {
    return `${basename(patch)} says "Applies-After: ${header.appliesAfter.join(', ')}"; list ${missing.join(', ')} before it (--patches ${[...missing, basename(patch)].join(',')}).`;
  }
  return 'The patch was made against different content. Check the order of the series and the ref, or regenerate the patch with `git diff` against that ref.';
}
