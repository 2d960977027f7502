import { createHash } from 'node:crypto';
import type { Tree } from '../../compile/build-tree.js';
import type { RepoConfig } from '../../config/repo-config.schema.js';
import type { Thresholds } from '../../config/thresholds.schema.js';
import { judgedSide } from '../../workload/schema.js';
import type { ValidateRequest } from '../request/contract.js';
import type { WorkloadPlan } from '../request/plan-workloads.js';
import type { Profile } from '../request/profiles.js';
import type { CellPlan } from '../schedule/cell-run.js';
import { type ShardPlan, withPlanId } from './shard-plan.js';

/** One shard of a validation to run: `sigstorm validate --shard index/count`. */
export interface ShardRequest {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
  /** The policy the merge will judge the verdicts by (the config's), carried in the plan. */
  readonly policy: RepoConfig['policy'];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The plan every shard of the request derives alike: cells, caps, batches, seed, trees, thresholds. */
export function planShards(o: {
  readonly shard: ShardRequest;
  readonly cells: readonly CellPlan[];
  readonly seed: number;
  readonly trees: { readonly base: { readonly tree: Tree }; readonly head: { readonly tree: Tree } };
  readonly thresholds: Thresholds;
  readonly profile: Profile;
  readonly plan: WorkloadPlan;
  readonly throughputRuns: number;
  readonly request: ValidateRequest;
}): ShardPlan {
  const texts = new Map(o.plan.storms.map((s) => [s.workload.name, s.text]));
  return withPlanId({
    shards: o.shard.count,
    seed: o.seed,
    batchSize: o.profile.batchSize,
    trees: { base: o.trees.base.tree.hash, head: o.trees.head.tree.hash },
    cells: o.cells.map((cell) => {
      const cap = o.request.iterations ?? o.thresholds.stability.maxIterationsPerSide[cell.variant];
      return {
        workload: cell.workload.name,
        variant: cell.variant,
        side: judgedSide(cell.workload),
        workloadHash: sha256(texts.get(cell.workload.name) ?? ''),
        cap,
        batches: Math.ceil(cap / o.profile.batchSize),
      };
    }),
    throughput: {
      workload: o.throughputRuns > 0 ? (o.plan.throughput?.name ?? null) : null,
      runs: o.plan.throughput ? o.throughputRuns : 0,
    },
    thresholds: o.thresholds,
    policy: o.shard.policy,
  });
}
