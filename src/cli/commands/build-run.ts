import {
  type BuildResult,
  buildVariants,
  describeTree,
  materialise,
  type Tree,
} from '../../compile/build-tree.js';
import { planBuild } from '../../compile/prepare-tree.js';
import type { VariantName } from '../../compile/variants.js';
import { onInterrupt } from '../interrupt.js';
import { cliSandbox } from '../sandbox-mode.js';
import type { BuildFlags } from './build-flags.js';

/** `sigstorm build` once its flags parsed: the tree materialised and checked, then each variant built. */
export async function buildAction(flags: BuildFlags): Promise<void> {
  const interrupt = onInterrupt();
  const started = performance.now();
  const onProgress = (event: { message: string }) =>
    process.stderr.write(`sigstorm build: ${event.message}\n`);
  try {
    const sandbox = await cliSandbox(flags.sandbox, (line) =>
      process.stderr.write(`sigstorm build: ${line}\n`),
    );
    // The tree is exported, patched and checked for a build system before any variant builds.
    const tree = await materialise(
      { repo: flags.repo, ref: flags.ref, patches: flags.patches ?? [] },
      { signal: interrupt.signal, onProgress: (message) => onProgress({ message }) },
    );
    await planBuild(tree);
    const variants = await buildVariants(tree, flags.variants, {
      binary: flags.binary,
      signal: interrupt.signal,
      sandbox,
      onProgress,
    });
    process.stdout.write(
      flags.json ? `${JSON.stringify(toJson(tree, variants), null, 2)}\n` : human(tree, variants, started),
    );
  } finally {
    interrupt.dispose();
  }
}

function toJson(tree: Tree, variants: Partial<Record<VariantName, BuildResult>>): unknown {
  const { dir, ...origin } = tree;
  return {
    tree: { ...origin, dir },
    variants: Object.fromEntries(
      Object.values(variants).map((result) => {
        const { variant, tree: _tree, ...rest } = result;
        return [variant, rest];
      }),
    ),
  };
}

function human(tree: Tree, variants: Partial<Record<VariantName, BuildResult>>, started: number): string {
  const lines = [`${describeTree(tree)} (tree ${tree.hash})`];
  for (const result of Object.values(variants)) {
    const how = result.cached ? 'cached' : `built in ${seconds(result.durationMs)}`;
    lines.push(`  ${result.variant.padEnd(5)}  ${how.padEnd(16)} ${result.binary}`);
  }
  lines.push(`done in ${seconds(performance.now() - started)}`);
  return `${lines.join('\n')}\n`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
