import { type BuildResult, build, describeTree, type Tree } from '../build/build-tree.js';
import type { VariantName } from '../build/variants.js';
import type { BuildInfoInput } from '../report/report.schema.js';
import { SigstormError } from '../util/errors.js';
import type { TreeRequest, ValidateRequest } from './contract.js';
import type { Emit } from './emit.js';

/** Step 2: builds base, then head, in every variant (cached); a failed build names its side. */
export async function buildTrees(
  request: ValidateRequest,
  buildVariants: readonly VariantName[],
  emit: Emit,
  signal?: AbortSignal,
) {
  return {
    base: await buildSide('base', request.base, buildVariants, emit, signal),
    head: await buildSide('head', request.head, buildVariants, emit, signal),
  };
}

async function buildSide(
  which: 'base' | 'head',
  tree: TreeRequest,
  buildVariants: readonly VariantName[],
  emit: Emit,
  signal: AbortSignal | undefined,
) {
  emit({ phase: 'build', message: `building ${which}`, iterationsDone: 0, iterationsTotal: 0 });
  try {
    return await build(
      {
        ...(tree.repo ? { repo: tree.repo } : {}),
        ...(tree.ref ? { ref: tree.ref } : {}),
        patches: [...(tree.patches ?? [])],
      },
      [...buildVariants],
      {
        ...(signal ? { signal } : {}),
        onProgress: (event) =>
          emit({
            phase: 'build',
            message: `${which}: ${event.message}`,
            iterationsDone: 0,
            iterationsTotal: 0,
          }),
      },
    );
  } catch (error) {
    if (error instanceof SigstormError) {
      throw new SigstormError(`Building ${which} failed: ${error.message}`, {
        ...(error.hint ? { hint: error.hint } : {}),
        ...(error.details ? { details: error.details } : {}),
        cause: error,
      });
    }
    throw error;
  }
}

/** How the report describes one built tree. */
export function buildInfo(tree: Tree, variants: Partial<Record<VariantName, BuildResult>>): BuildInfoInput {
  return {
    label: describeTree(tree),
    repo: tree.repo,
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
