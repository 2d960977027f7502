import type { VariantName } from '../../compile/variants.js';
import type { RepoConfig } from '../../config/repo-config.schema.js';
import type { TreeRequest, ValidateRequest } from './contract.js';

/** What a front end asks for explicitly (CLI flags, a slash command's arguments): it wins over the config. */
export interface RequestOverrides {
  readonly workloads?: readonly string[] | undefined;
  readonly variants?: readonly VariantName[] | undefined;
  readonly iterations?: number | undefined;
  readonly budgetSeconds?: number | undefined;
  readonly failFast?: boolean | undefined;
  readonly throughputRuns?: number | undefined;
  readonly seed?: number | undefined;
  readonly lanes?: number | undefined;
  readonly cpus?: string | undefined;
  readonly outDir?: string | undefined;
}

export interface RequestSource {
  readonly base: TreeRequest;
  readonly head: TreeRequest;
  /** The parsed `.github/sigstorm.yml` (`RepoConfig.parse({})` when there is none). */
  readonly config: RepoConfig;
  readonly profile: 'pr' | 'release';
  readonly overrides?: RequestOverrides;
  /** The host's iteration cap (the App's SIGSTORM_ITERATIONS_CAP): never more, whoever asked. */
  readonly iterationsCap?: number | undefined;
}

/**
 * The one way a repository config becomes a validation, for the CLI, the App and the Actions
 * workflow alike: each setting is the explicit override, else the config's for the profile (the
 * top level for `pr`, `release:` for `release`), else absent so the pipeline takes the profile's
 * default. Thresholds come from the config whatever the profile.
 */
export function requestFromConfig(source: RequestSource): ValidateRequest {
  const { config, profile, overrides = {}, iterationsCap } = source;
  const fromConfig = profile === 'release' ? config.release : config;
  const asked = overrides.iterations ?? fromConfig.iterations;
  const iterations = iterationsCap === undefined ? asked : Math.min(asked ?? iterationsCap, iterationsCap);
  const settings = {
    workloads: overrides.workloads ?? fromConfig.workloads,
    variants: overrides.variants ?? fromConfig.variants,
    iterations,
    budgetSeconds: overrides.budgetSeconds ?? fromConfig.budgetSeconds,
    throughputRuns: overrides.throughputRuns ?? fromConfig.throughputRuns,
    failFast: overrides.failFast,
    seed: overrides.seed,
    lanes: overrides.lanes,
    cpus: overrides.cpus,
    outDir: overrides.outDir,
  };
  return {
    base: source.base,
    head: source.head,
    profile,
    thresholds: config.thresholds,
    ...definedOnly(settings),
  };
}

/** Leaves absent settings out, so the pipeline's `??` defaults apply (exactOptionalPropertyTypes). */
function definedOnly<T extends object>(settings: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
