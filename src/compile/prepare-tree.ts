import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { SandboxMode } from '../sandbox/sandbox.schema.js';
import { describeTree, type Tree } from '../source/tree.js';
import { touchEntry } from '../util/cache-budget.js';
import { cacheEntry } from '../util/cache-entry.js';
import { withFileLock } from '../util/file-lock.js';
import { makeDir } from '../util/make-dir.js';
import { pathExists } from '../util/path-exists.js';
import { autotoolsIdentity } from './autotools-identity.js';
import { bootstrapInputs } from './bootstrap-inputs.js';
import { applyBootstrapOutputs, keepBootstrapOutputs, keptBootstrapOutputs } from './bootstrap-outputs.js';
import { commandFailureError } from './build-error.js';
import type { OnBuildProgress } from './progress.js';
import { CommandFailure, type RunLoggedOptions, runLogged } from './run-logged.js';
import { listTreeFiles } from './tree-files.js';
import { type BootstrapMethod, detectTreeKind, type TreeKind } from './tree-kind.js';

/** How a tree will be built, known without running anything slow. */
export interface BuildPlan {
  readonly kind: TreeKind;
  /** What goes into generating `configure` (method + autotools versions), or null; part of the build key. */
  readonly bootstrapId: string | null;
}

export async function planBuild(tree: Tree): Promise<BuildPlan> {
  const kind = await detectTreeKind(tree.dir, describeTree(tree));
  if (kind.kind !== 'autotools' || kind.bootstrap === null) return { kind, bootstrapId: null };
  return { kind, bootstrapId: `${kind.bootstrap}; ${await autotoolsIdentity()}` };
}

/**
 * Returns a directory ready for `configure`/`make`: the tree itself, or a copy in which `configure`
 * was generated (bootstrap script, or `autoreconf -fi`). That copy is made once per tree, in
 * `<cacheRoot>/prepared/<key>/tree`, and shared by every variant. A tree whose autotools inputs
 * (bootstrap-inputs.ts) match an earlier bootstrap's gets that bootstrap's outputs copied over it
 * (`<cacheRoot>/bootstrap-outputs/<inputs key>/`) instead of a bootstrap of its own.
 */
export async function preparedSource(
  tree: Tree,
  plan: BuildPlan,
  options: {
    cacheRoot: string;
    signal?: AbortSignal | undefined;
    onProgress?: OnBuildProgress | undefined;
    sandbox?: SandboxMode | undefined;
  },
): Promise<string> {
  if (plan.kind.kind !== 'autotools' || plan.kind.bootstrap === null || plan.bootstrapId === null)
    return tree.dir;
  const method = plan.kind.bootstrap;
  const bootstrapId = plan.bootstrapId;
  const key = createHash('sha256').update(`${tree.hash}\n${plan.bootstrapId}`).digest('hex').slice(0, 24);
  const root = join(options.cacheRoot, 'prepared');
  const entry = await cacheEntry({
    root,
    key,
    signal: options.signal,
    isComplete: (dir) => pathExists(join(dir, 'tree', 'configure')),
    produce: async (tmp) => {
      const treeDir = join(tmp, 'tree');
      await execa('cp', ['-a', `${tree.dir}/.`, treeDir], { stdin: 'ignore' });
      const logFile = join(tmp, 'bootstrap.log');
      const before = await listTreeFiles(treeDir);
      const inputs = await bootstrapInputs(before, bootstrapId, (path) =>
        readFile(join(treeDir, path), 'utf8'),
      );
      const outputsRoot = join(options.cacheRoot, 'bootstrap-outputs');
      const reuse = async (): Promise<boolean> => {
        if (!inputs.reusable) return false;
        const kept = await keptBootstrapOutputs(outputsRoot, inputs.key);
        if (!kept || !(await applyBootstrapOutputs(kept, treeDir, before))) return false;
        await touchEntry(kept.dir);
        const message = `configure reused from tree ${kept.record.from} (same autotools inputs)`;
        options.onProgress?.({ phase: 'bootstrap', message });
        await writeFile(logFile, `# ${message}: ${kept.dir}\n`);
        return true;
      };
      const generate = async (): Promise<void> => {
        options.onProgress?.({ phase: 'bootstrap', message: `generating configure (${method})` });
        if (!inputs.reusable) await writeFile(logFile, `# not reusable by other trees: ${inputs.reason}\n`);
        try {
          await runBootstrap(method, {
            cwd: treeDir,
            logFile,
            signal: options.signal,
            sandbox: options.sandbox,
          });
        } catch (error) {
          if (!(error instanceof CommandFailure)) throw error;
          const keepLogAt = join(root, '.failed', `${key}.log`);
          throw await commandFailureError(error, { tree, step: 'bootstrap', logFile, keepLogAt });
        }
        if (inputs.reusable) {
          await keepBootstrapOutputs({
            root: outputsRoot,
            key: inputs.key,
            treeDir,
            before,
            after: await listTreeFiles(treeDir),
            from: describeTree(tree),
            fromHash: tree.hash,
          });
        }
      };
      if (!inputs.reusable) return generate();
      if (await reuse()) return;
      // The first tree with these autotools inputs generates; other trees with them meanwhile (a
      // series' trees, side by side) wait for its outputs rather than all run the bootstrap at once.
      await makeDir(outputsRoot);
      await withFileLock(
        join(outputsRoot, `${inputs.key}.lock`),
        async () => {
          if (!(await reuse())) await generate();
        },
        {
          signal: options.signal,
          onWait: (pid) =>
            options.onProgress?.({
              phase: 'waiting',
              message: `waiting for process ${pid}'s bootstrap, whose configure this tree reuses`,
            }),
        },
      );
    },
  });
  return join(entry.dir, 'tree');
}

async function runBootstrap(method: BootstrapMethod, options: RunLoggedOptions): Promise<void> {
  if (method === 'bootstrap.sh') await runLogged('sh', ['./bootstrap.sh'], options);
  // autogen.sh scripts often run configure themselves unless told not to.
  else if (method === 'autogen.sh')
    await runLogged('sh', ['./autogen.sh'], { ...options, env: { NOCONFIGURE: '1' } });
  else await runLogged('autoreconf', ['-fi'], options);
}
