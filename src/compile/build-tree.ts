/**
 * The builder's public API. Typical use (storm, validate):
 *
 *   const tree = await materialise({ patches: ['patches/unblocked-worker-signals.patch'] });
 *   const builds = await buildVariants(tree, ['plain', 'asan'], { onProgress: (e) => log(e.message) });
 *   builds.asan.binary; // absolute path of the ASan+UBSan program
 *
 * or both steps at once with `build(spec, variants, options)`.
 */
import { type MaterialiseOptions, materialise } from '../source/materialise.js';
import type { Tree, TreeSpec } from '../source/tree.js';
import { type BuildOptions, type BuildResult, buildVariant } from './build-variant.js';
import type { VariantName } from './variants.js';

export { type MaterialiseOptions, materialise } from '../source/materialise.js';
export { describeTree, type Tree, type TreeOrigin, TreeSpec } from '../source/tree.js';
export { type BuildOptions, type BuildResult, buildVariant } from './build-variant.js';
export { defaultBinary } from './find-binary.js';
export type { BuildPhase, BuildProgress, OnBuildProgress } from './progress.js';
export { type VariantName, variantFlags, variantNames } from './variants.js';

/** Builds the variants one after another (each build uses every core). Cached variants return at once. */
export async function buildVariants<V extends VariantName>(
  tree: Tree,
  variants: readonly V[],
  options: BuildOptions = {},
): Promise<Record<V, BuildResult>> {
  const results = {} as Record<V, BuildResult>;
  for (const variant of new Set(variants)) results[variant] = await buildVariant(tree, variant, options);
  return results;
}

/** Materialises `spec` and builds the variants of it. */
export async function build<V extends VariantName>(
  spec: TreeSpec,
  variants: readonly V[],
  options: BuildOptions & Pick<MaterialiseOptions, 'cwd'> = {},
): Promise<{ tree: Tree; variants: Record<V, BuildResult> }> {
  const { onProgress, ...rest } = options;
  const tree = await materialise(spec, {
    ...rest,
    ...(onProgress ? { onProgress: (message: string) => onProgress({ phase: 'materialise', message }) } : {}),
  });
  return { tree, variants: await buildVariants(tree, variants, options) };
}
