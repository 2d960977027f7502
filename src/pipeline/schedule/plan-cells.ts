import type { Tree } from '../../compile/build-tree.js';
import type { BuildResult } from '../../compile/build-variant.js';
import type { VariantName } from '../../compile/variants.js';
import type { SandboxMode } from '../../sandbox/sandbox.schema.js';
import type { LanePool } from '../../storm/lanes.js';
import { cacheRoot } from '../../util/paths.js';
import { noBaseCache, openBaseCache } from '../base-cache.js';
import type { PlannedStorm } from '../request/plan-workloads.js';
import type { CellPlan } from './cell-run.js';
import { iterationPriorMs } from './iteration-prior.js';

/** Every workload × variant to storm, each with the base results cache of its base build (unless off). */
export async function planCells(o: {
  readonly variants: readonly VariantName[];
  readonly storms: readonly PlannedStorm[];
  readonly baseBuilds: Partial<Record<VariantName, BuildResult>>;
  readonly pool: LanePool;
  readonly seed: number;
  readonly baseCache: boolean;
  /** Head builds whose results are kept and reused too (bisect: every step's candidate); absent: none. */
  readonly headBuilds?: Partial<Record<VariantName, BuildResult>>;
  readonly sandbox: SandboxMode['kind'];
}): Promise<CellPlan[]> {
  const cells: CellPlan[] = [];
  for (const variant of o.variants) {
    for (const storm of o.storms) {
      const baseBuild = o.baseBuilds[variant];
      if (!baseBuild) throw new Error(`no ${variant} build of base`);
      const resultsOf = (build: BuildResult) =>
        openBaseCache(cacheRoot(), {
          buildKey: build.key,
          workloadText: storm.text,
          seed: o.seed,
          lanes: o.pool.lanes.map((l) => l.cpuList),
          sandbox: o.sandbox,
        });
      const headBuild = o.headBuilds?.[variant];
      cells.push({
        index: cells.length,
        workload: storm.workload,
        workloadRef: storm.ref,
        variant,
        priorIterationMs: iterationPriorMs(storm.workload, variant, o.pool.lanes.length),
        baseCache: o.baseCache ? await resultsOf(baseBuild) : noBaseCache,
        ...(headBuild ? { headCache: await resultsOf(headBuild) } : {}),
      });
    }
  }
  return cells;
}

/** The default seed follows the base tree, so later validations against it can reuse base results. */
export function seedFrom(tree: Tree): number {
  return Number.parseInt(tree.hash.slice(0, 8), 16) % 0x7fffffff;
}
