import type { LanePool } from '../storm/lanes.js';
import { makeDir } from '../util/make-dir.js';
import { buildTrees } from './build-trees.js';
import type { Emit } from './output/emit.js';
import type { ValidateRequest } from './request/contract.js';
import { preflight } from './request/preflight.js';
import { type SettledRequest, settleRequest } from './request/settle-request.js';
import { planCells, seedFrom } from './schedule/plan-cells.js';

/**
 * What a run is for: a validation (or one shard of it) compares base and head and writes its
 * output folder; a base warm-up storms the base alone (head is the base: built once, by content),
 * only the storm variants, and always through the base-results cache.
 */
export type RunPurpose =
  | { readonly kind: 'validate'; readonly baseCache: boolean; readonly headCache: boolean }
  | { readonly kind: 'warm-base' };

export interface RunStart {
  readonly settled: SettledRequest;
  readonly pool: LanePool;
  readonly builds: Awaited<ReturnType<typeof buildTrees>>;
  readonly seed: number;
  readonly cells: Awaited<ReturnType<typeof planCells>>;
}

/**
 * The start every run shares (validate, its shards, warm-base): settle the request, check every
 * input before anything is built or written, build, and plan the cells with their seed.
 */
export async function startRun(
  request: ValidateRequest,
  purpose: RunPurpose,
  how: { readonly emit: Emit; readonly signal?: AbortSignal | undefined },
): Promise<RunStart> {
  const { emit, signal } = how;
  const warm = purpose.kind === 'warm-base';
  const asked = warm ? { ...request, head: request.base } : request;
  const settled = await settleRequest(asked);
  const { sandbox } = settled;
  const { trees, pool } = await preflight(
    { ...asked, sandbox },
    warm
      ? { signal }
      : {
          signal,
          onProgress: (message) =>
            emit({ phase: 'build', message: `checking ${message}`, iterationsDone: 0, iterationsTotal: 0 }),
        },
  );
  if (!warm) await makeDir(settled.outDir);
  const builds = await buildTrees(
    warm ? { base: trees.base, head: trees.base } : trees,
    warm ? settled.variants : settled.buildVariants,
    emit,
    { sandbox, signal },
  );
  const seed = request.seed ?? seedFrom(builds.base.tree);
  const cells = await planCells({
    variants: settled.variants,
    storms: settled.plan.storms,
    baseBuilds: builds.base.variants,
    pool,
    seed,
    baseCache: warm || purpose.baseCache,
    ...(purpose.kind === 'validate' && purpose.headCache ? { headBuilds: builds.head.variants } : {}),
    sandbox: sandbox.kind,
  });
  return { settled, pool, builds, seed, cells };
}
