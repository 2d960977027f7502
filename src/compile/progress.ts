import type { VariantName } from './variants.js';

/** Steps of a build, reported as they start so a CLI or the app can show progress. */
export type BuildPhase = 'materialise' | 'waiting' | 'bootstrap' | 'configure' | 'make' | 'cached' | 'built';

export interface BuildProgress {
  readonly phase: BuildPhase;
  /** Absent for steps shared by all variants (materialise, bootstrap). */
  readonly variant?: VariantName;
  /** One human line, e.g. `asan: make -j2`. */
  readonly message: string;
}

export type OnBuildProgress = (event: BuildProgress) => void;
