import {
  type BuildResult,
  buildVariants as buildTreeVariants,
  describeTree,
  type Tree,
} from '../compile/build-tree.js';
import type { VariantName } from '../compile/variants.js';
import type { BuildInfoInput } from '../report/report.schema.js';
import type { SandboxMode } from '../sandbox/sandbox.schema.js';
import type { PublicSource } from '../source/public-source.js';
import type { TreeSide } from '../source/tree-side.js';
import type { Emit } from './output/emit.js';

/**
 * Step 2: builds base, then head (both already exported and patched by preflight), in every
 * variant (cached). A failed build's error leads with the compiler's message and names the tree:
 * not wrapped.
 */
export async function buildTrees(
  trees: { readonly base: Tree; readonly head: Tree },
  buildVariants: readonly VariantName[],
  emit: Emit,
  options: { readonly sandbox: SandboxMode; readonly signal?: AbortSignal | undefined },
) {
  return {
    base: await buildSide('base', trees.base, buildVariants, emit, options),
    head: await buildSide('head', trees.head, buildVariants, emit, options),
  };
}

async function buildSide(
  which: TreeSide,
  tree: Tree,
  buildVariants: readonly VariantName[],
  emit: Emit,
  { sandbox, signal }: { readonly sandbox: SandboxMode; readonly signal?: AbortSignal | undefined },
) {
  emit({ phase: 'build', message: `building ${which}`, iterationsDone: 0, iterationsTotal: 0 });
  const variants = await buildTreeVariants(tree, [...buildVariants], {
    ...(signal ? { signal } : {}),
    sandbox,
    onProgress: (event) =>
      emit({ phase: 'build', message: `${which}: ${event.message}`, iterationsDone: 0, iterationsTotal: 0 }),
  });
  return { tree, variants };
}

/** How the report describes one built tree (by its public name, when given), and where its code ran. */
export function buildInfo(
  tree: Tree,
  variants: Partial<Record<VariantName, BuildResult>>,
  sandbox: SandboxMode['kind'],
  source?: PublicSource,
): BuildInfoInput {
  const repo = source?.repo ?? tree.repo;
  return {
    sandbox,
    label: describeTree({ ...tree, repo }),
    repo,
    ref: tree.ref,
    commit: tree.commit,
    patches: [...tree.patches],
    variants: Object.values(variants).map((b) => ({
      variant: b.variant,
      binary: b.binary,
      cached: b.cached,
      buildMs: b.buildDurationMs,
    })),
  };
}
