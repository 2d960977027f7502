import { lutimes, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import { newTempDir, publishDir } from '../util/cache-entry.js';
import { makeDir } from '../util/make-dir.js';
import type { TreeFile } from './tree-files.js';

/** What one bootstrap created or changed in its tree: enough to redo it on a tree with the same inputs. */
export const BootstrapRecord = z.object({
  schemaVersion: z.literal(1),
  /** The tree it ran on, as the user named it, and its hash. */
  from: z.string(),
  fromHash: z.string(),
  /** Files and symlinks created or changed (content, mode or mtime); their copies are under `files/`. */
  changed: z.array(z.string()),
  /** Directories created. */
  dirs: z.array(z.string()),
  deleted: z.array(z.string()),
  /**
   * Of the changed or deleted entries that existed before, what they were (`type hash`): a tree
   * whose own copies differ (a committed configure of other content) is bootstrapped afresh.
   */
  before: z.record(z.string(), z.string()),
});
export type BootstrapRecord = z.infer<typeof BootstrapRecord>;

const recordName = 'record.json';
const identity = (file: TreeFile): string => `${file.type} ${file.hash}`;

/** Compares the tree before and after its bootstrap and keeps what changed in `<root>/<key>/`. */
export async function keepBootstrapOutputs(options: {
  root: string;
  key: string;
  treeDir: string;
  before: ReadonlyMap<string, TreeFile>;
  after: ReadonlyMap<string, TreeFile>;
  from: string;
  fromHash: string;
}): Promise<void> {
  const { before, after } = options;
  const record: BootstrapRecord = {
    schemaVersion: 1,
    from: options.from,
    fromHash: options.fromHash,
    changed: [],
    dirs: [],
    deleted: [],
    before: {},
  };
  for (const [path, file] of after) {
    const old = before.get(path);
    if (file.type === 'dir') {
      if (old?.type !== 'dir') record.dirs.push(path);
      if (old && old.type !== 'dir') record.before[path] = identity(old);
      continue;
    }
    const same =
      old && identity(old) === identity(file) && old.mode === file.mode && old.mtimeMs === file.mtimeMs;
    if (same) continue;
    record.changed.push(path);
    if (old) record.before[path] = identity(old);
  }
  for (const [path, file] of before) {
    if (after.has(path)) continue;
    record.deleted.push(path);
    record.before[path] = identity(file);
  }
  const tmp = await newTempDir(options.root, options.key);
  try {
    await makeDir(join(tmp, 'files'));
    if (record.changed.length > 0) {
      await execa('cp', ['-a', '--parents', '-t', join(tmp, 'files'), '--', ...record.changed], {
        cwd: options.treeDir,
        stdin: 'ignore',
      });
    }
    await writeFile(join(tmp, recordName), `${JSON.stringify(record, null, 2)}\n`);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  await publishDir(tmp, join(options.root, options.key));
}

/** The kept outputs of an earlier bootstrap with this key, or undefined. */
export async function keptBootstrapOutputs(
  root: string,
  key: string,
): Promise<{ dir: string; record: BootstrapRecord } | undefined> {
  const dir = join(root, key);
  const text = await readFile(join(dir, recordName), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const parsed = BootstrapRecord.safeParse(JSON.parse(text));
  return parsed.success ? { dir, record: parsed.data } : undefined;
}

/**
 * Puts the kept outputs over `treeDir` (whose entries are `files`), as the bootstrap would have
 * left them; false (nothing changed) when the tree's own copies of the changed files differ from
 * what the earlier tree had. The copied files get one common mtime, newer than every other file
 * of the tree, so that make sees them as up to date and never reruns autoconf or automake.
 */
export async function applyBootstrapOutputs(
  kept: { dir: string; record: BootstrapRecord },
  treeDir: string,
  files: ReadonlyMap<string, TreeFile>,
): Promise<boolean> {
  const { record } = kept;
  for (const [path, was] of Object.entries(record.before)) {
    const file = files.get(path);
    if (!file || identity(file) !== was) return false;
  }
  for (const path of record.dirs) if (files.has(path) && files.get(path)?.type !== 'dir') return false;
  for (const path of record.deleted) await rm(join(treeDir, path), { recursive: true, force: true });
  for (const path of record.dirs) await makeDir(join(treeDir, path));
  for (const path of record.changed) await rm(join(treeDir, path), { force: true });
  await execa('cp', ['-a', `${join(kept.dir, 'files')}/.`, treeDir], { stdin: 'ignore' });
  const generated = new Set([...record.changed, ...record.dirs]);
  let newest = 0;
  for (const [path, file] of files) if (!generated.has(path)) newest = Math.max(newest, file.mtimeMs);
  // Never in the future (automake's configure checks that new files are newer than configure).
  const wait = newest + 10 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 2000)));
  const now = new Date();
  for (const path of generated) await lutimes(join(treeDir, path), now, now);
  return true;
}
