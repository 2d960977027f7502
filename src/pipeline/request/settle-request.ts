import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { VariantName } from '../../compile/variants.js';
import { Thresholds } from '../../config/thresholds.schema.js';
import { defaultSandbox, type SandboxMode } from '../../sandbox/sandbox.schema.js';
import { cacheRoot } from '../../util/paths.js';
import type { ValidateRequest } from './contract.js';
import { planWorkloads, type WorkloadPlan } from './plan-workloads.js';
import { type Profile, profiles } from './profiles.js';

/** A request with every default filled in: what the validation will run, and where it writes. */
export interface SettledRequest {
  readonly profile: Profile;
  readonly thresholds: Thresholds;
  /** The variants stormed. */
  readonly variants: readonly VariantName[];
  /** The variants built: those stormed, plus plain when throughput runs. */
  readonly buildVariants: readonly VariantName[];
  readonly plan: WorkloadPlan;
  readonly throughputRuns: number;
  /** Where the run writes; created only after preflight found the inputs sound. */
  readonly outDir: string;
  /** Where the trees' code runs: builds, storms and throughput alike. */
  readonly sandbox: SandboxMode;
}

/** Step 1: profile defaults, thresholds, workloads, sandbox and the output directory (not yet created). */
export async function settleRequest(request: ValidateRequest): Promise<SettledRequest> {
  const profile = profiles[request.profile ?? 'pr'];
  const thresholds = Thresholds.parse(request.thresholds ?? {});
  const variants = [...new Set(request.variants ?? profile.variants)];
  const plan = await planWorkloads(request.workloads, profile.workloadSet);
  const throughputRuns = request.throughputRuns ?? plan.throughput?.runs ?? 0;
  const buildVariants: VariantName[] = [
    ...new Set<VariantName>([...variants, ...(throughputRuns > 0 ? ['plain' as const] : [])]),
  ];
  const outDir = resolve(
    request.outDir ??
      join(
        cacheRoot(),
        'runs',
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 6)}`,
      ),
  );
  const sandbox = request.sandbox ?? defaultSandbox;
  return { profile, thresholds, variants, buildVariants, plan, throughputRuns, outDir, sandbox };
}
