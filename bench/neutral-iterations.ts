// Iterations needed for a `neutral` verdict on patches/help-text.patch (a harmless patch) at the default
// bound (plain tolerance 0.5%: the rule-of-three certificate). Quick mode uses a looser tolerance.
// Run: npx tsx bench/neutral-iterations.ts [--quick]. bench/run.ts calls neutralIterationsBench().
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { certificateIterations } from '../src/compare/sequential/certificate.js';
import { build } from '../src/compile/build-tree.js';
import { defaultThresholds } from '../src/config/thresholds.schema.js';
import { createLanePool } from '../src/storm/lanes.js';
import { bundledPatchesDir } from '../src/util/paths.js';
import { type TimedValidation, timedValidation } from './timed-validation.js';

export interface NeutralIterationsOptions {
  /** Short version: tolerance 5% instead of the default 0.5% (~60 iterations per side instead of ~600). */
  readonly quick?: boolean;
  readonly workload?: string;
  readonly seed?: number;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface NeutralIterationsResult extends TimedValidation {
  readonly patch: string;
  readonly workload: string;
  readonly seed: number;
  readonly lanes: number;
  readonly tolerance: number;
  readonly beta: number;
  readonly defaultTolerance: boolean;
  /** Clean iterations per side the rule of three needs at this tolerance and beta. */
  readonly certificate: number;
}

const patchName = 'help-text.patch';

export async function neutralIterationsBench(
  options: NeutralIterationsOptions = {},
): Promise<NeutralIterationsResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const workload = options.workload ?? 'server-burst';
  const seed = options.seed ?? 1;
  const stability = defaultThresholds.stability;
  const tolerance = options.quick ? 0.05 : stability.tolerance.plain;
  const patch = join(bundledPatchesDir, patchName);
  const buildOptions = options.signal ? { signal: options.signal } : {};
  await build({}, ['plain'], buildOptions);
  await build({ patches: [patch] }, ['plain'], buildOptions);
  const lanes = (await createLanePool()).lanes.length;
  log(`  neutral-iterations: ${workload}, plain, tolerance ${(tolerance * 100).toFixed(1)}%, seed ${seed}`);
  const run = await timedValidation(
    {
      base: {},
      head: { patches: [patch] },
      workloads: [workload],
      variants: ['plain'],
      throughputRuns: 0,
      baseCache: false,
      seed,
      // The pr profile's 600 s budget would cut a loaded machine short of the ~600 per side.
      budgetSeconds: 3600,
      ...(options.quick ? { thresholds: { stability: { tolerance: { plain: tolerance } } } } : {}),
    },
    log,
    options.signal,
  );
  return {
    ...run,
    patch: `patches/${patchName}`,
    workload,
    seed,
    lanes,
    tolerance,
    beta: stability.beta,
    defaultTolerance: !options.quick,
    certificate: certificateIterations(tolerance, stability.beta),
  };
}

export function formatNeutralIterations(r: NeutralIterationsResult): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const cell = r.cells[0];
  const label = r.defaultTolerance
    ? `the default bound (plain tolerance ${pct(r.tolerance)})`
    : `a LOOSER bound than the default (quick mode: tolerance ${pct(r.tolerance)} instead of 0.5%)`;
  return [
    `Iterations for a neutral verdict: base vs ${r.patch}, ${r.workload}, plain, at ${label}; beta ${r.beta}; ${r.lanes} lane(s); seed ${r.seed}; batches of 10 per side`,
    `  ${r.verdict}: ${r.iterations.base} base / ${r.iterations.head} head iterations, ${r.stormSeconds.toFixed(1)} s of storm time (rule of three: ${r.certificate} clean iterations per side prove head's failure rate is at most the tolerance with error ${r.beta}; the cell stops at the first batch boundary past it)`,
    `  evidence: ${cell?.evidence ?? 'no cell'}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await neutralIterationsBench({ quick: process.argv.includes('--quick') });
  process.stdout.write(`${formatNeutralIterations(result)}\n`);
}
