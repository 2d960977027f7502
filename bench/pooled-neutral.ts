// The pr profile's answer for a harmless patch, with the base warmed once (validate --warm-base):
// patches/help-text.patch with and without a persisting noisy cell on both sides
// (patches/noisy-cell.patch): verdict, iterations per side, storm time; and the regression patches:
// iterations to the verdict. Run: npx tsx bench/pooled-neutral.ts [--quick].
// bench/run.ts calls pooledNeutralBench().
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { warmBase } from '../src/pipeline/warm-base.js';
import { createLanePool } from '../src/storm/lanes.js';
import { bundledPatchesDir } from '../src/util/paths.js';
import { stormProgressLog, type TimedValidation, timedValidation } from './timed-validation.js';

export interface PooledNeutralOptions {
  /** Short version: the `quick` workload set (2 workloads) instead of the default set. */
  readonly quick?: boolean;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface WarmNeutralRow extends TimedValidation {
  readonly label: string;
  readonly warmUpSeconds: number;
  readonly warmUpRan: number;
  /** Cells of a workload whose base failed in the warm-up (in any variant), warmed further. */
  readonly warmUpNoisy: readonly string[];
  /** The cell with the fewest head iterations: no cell may end below its minimum (its coarse share). */
  readonly fewest: { readonly cell: string; readonly base: number; readonly head: number } | null;
  /** The noisy cell's iterations per side (server-sighup), when the row has one. */
  readonly noisyCell: { readonly iterations: number; readonly failures: { base: number; head: number } }[];
}

export interface RegressionRow extends TimedValidation {
  readonly patch: string;
}

export interface PooledNeutralResult {
  readonly lanes: number;
  readonly workloads: string;
  readonly neutral: readonly WarmNeutralRow[];
  readonly regressions: readonly RegressionRow[];
}

const patch = (name: string) => join(bundledPatchesDir, name);
const regressionPatches = [
  'unblocked-worker-signals.patch',
  'sigpipe-not-ignored.patch',
  'printf-in-handler.patch',
];

export async function pooledNeutralBench(options: PooledNeutralOptions = {}): Promise<PooledNeutralResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const signal = options.signal;
  const workloads = options.quick ? ['set:quick'] : undefined;
  const common = { throughputRuns: 0, ...(workloads ? { workloads } : {}) };
  const lanes = (await createLanePool()).lanes.length;
  const neutral: WarmNeutralRow[] = [];
  for (const [label, basePatches] of [
    ['help-text.patch, warm base', []],
    ['help-text.patch with noisy-cell.patch on both sides, warm base', [patch('noisy-cell.patch')]],
  ] as const) {
    log(`  pooled-neutral: warming base (${label})`);
    const base = { patches: [...basePatches] };
    const warm = await warmBase(
      { ...common, base, head: base },
      { ...(signal ? { signal } : {}), onProgress: stormProgressLog(log, '    warm-up: ') },
    );
    log(`  pooled-neutral: validating ${label}`);
    const run = await timedValidation(
      { ...common, base, head: { patches: [...basePatches, patch('help-text.patch')] } },
      log,
      signal,
    );
    neutral.push({
      ...run,
      label,
      warmUpSeconds: warm.seconds,
      warmUpRan: warm.ran,
      warmUpNoisy: warm.noisyCells,
      fewest: fewestIterations(run),
      noisyCell: basePatches.length
        ? run.cells
            .filter((c) => c.workload === 'server-sighup')
            .map((c) => ({ iterations: c.iterations.head, failures: c.failures }))
        : [],
    });
  }
  const regressions: RegressionRow[] = [];
  for (const name of options.quick ? regressionPatches.slice(0, 1) : regressionPatches) {
    log(`  pooled-neutral: ${name}, iterations to the verdict`);
    const run = await timedValidation(
      { ...common, base: {}, head: { patches: [patch(name)] }, baseCache: false },
      log,
      signal,
    );
    regressions.push({ ...run, patch: `patches/${name}` });
  }
  return { lanes, workloads: workloads ? 'set:quick' : 'the default set', neutral, regressions };
}

function fewestIterations(run: TimedValidation): WarmNeutralRow['fewest'] {
  const [least] = [...run.cells].sort((a, b) => a.iterations.head - b.iterations.head);
  return least ? { cell: `${least.workload} (${least.variant})`, ...least.iterations } : null;
}

export function formatPooledNeutral(r: PooledNeutralResult): string {
  const lines = [
    `pr profile (pooled neutral statement), ${r.workloads}, plain + asan, ${r.lanes} lane(s), no throughput runs`,
  ];
  for (const n of r.neutral) {
    lines.push(
      `  ${n.label}: ${n.verdict}; ${n.iterations.base} base / ${n.iterations.head} head iterations over ${n.cellsStormed} cells, ${n.stormSeconds.toFixed(0)} s of storm time (base warm-up beforehand: ${n.warmUpRan} iterations, ${n.warmUpSeconds.toFixed(0)} s${n.warmUpNoisy.length > 0 ? `; persisting noise (base failed in a variant of the workload): ${n.warmUpNoisy.join(', ')} warmed further` : ''})`,
    );
    if (n.fewest)
      lines.push(
        `    fewest iterations in a cell: ${n.fewest.cell}, ${n.fewest.base} base / ${n.fewest.head} head`,
      );
    for (const c of n.noisyCell) {
      lines.push(
        `    noisy cell server-sighup: ${c.iterations} iterations per side, failures base ${c.failures.base} / head ${c.failures.head}`,
      );
    }
    lines.push(`    ${n.headline}`);
  }
  for (const g of r.regressions) {
    lines.push(
      `  ${g.patch}: ${g.verdict} after ${g.iterations.base} base / ${g.iterations.head} head iterations, ${g.stormSeconds.toFixed(0)} s of storm time (fail fast, cold base)`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await pooledNeutralBench({ quick: process.argv.includes('--quick') });
  process.stdout.write(`${formatPooledNeutral(result)}\n`);
}
