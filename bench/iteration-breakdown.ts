// Where an iteration's time goes (issue 23, item 5): N iterations of the real storm lane per workload
// against the bundled subject's plain build and, with --iperf PATH, a real iperf3 checkout (cloned to
// a temporary directory and built plain like any tree); each iteration's phases come from the lane
// itself (the record's `phases`, src/storm/phases.ts). Run:
//   npx tsx bench/iteration-breakdown.ts [--quick] [--iterations N] [--iperf PATH] [--ref 3.18] [--workloads a,b]
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from '../src/compile/build-tree.js';
import { createLanePool } from '../src/storm/lanes.js';
import { type IterationPhases, phaseNames } from '../src/storm/phases.js';
import type { IterationRecord } from '../src/storm/record.js';
import { runIterations } from '../src/storm/run-iterations.js';
import { resolveStormWorkload } from '../src/workload/load.js';
import { conditionsNow, formatLoad } from './machine.js';

/** A server-side burst, a client-side burst, and a thread-directed signal at a client's stream (-P 4 each). */
export const defaultWorkloads = ['server-burst', 'client-burst', 'client-stream-sigterm'] as const;

/** Iterations run per runIterations call: one sandbox per batch, as validate's batches. */
const BATCH = 10;

export interface BreakdownOptions {
  readonly iterations?: number;
  /** A real iperf3 checkout (git); stormed besides the subject when given. */
  readonly iperf?: string;
  readonly ref?: string;
  readonly workloads?: readonly string[];
  readonly seed?: number;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface PhaseFigure {
  readonly phase: keyof IterationPhases | 'harness';
  readonly meanMs: number;
  readonly medianMs: number;
  /** Of the mean wall time of one iteration. */
  readonly share: number;
}

export interface BreakdownRow {
  readonly binary: string;
  readonly workload: string;
  readonly iterations: number;
  /** Wall time of the batches (sandbox opened and closed per batch) over the iterations. */
  readonly secondsPerIteration: number;
  readonly phases: readonly PhaseFigure[];
  /** The judged side's outcomes, then the peer's: a breakdown of a storm that misclassifies is worthless. */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly peerOutcomes: Readonly<Record<string, number>>;
}

export interface BreakdownResult {
  readonly iterations: number;
  readonly seed: number;
  readonly loadAtStart: string;
  readonly loadAtEnd: string;
  readonly rows: readonly BreakdownRow[];
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const count = (xs: readonly string[]) => {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
};

/** A clone of `checkout` at `ref` in a temporary directory (the checkout itself is never written). */
function cloneAt(checkout: string, ref: string, dir: string): void {
  execFileSync('git', ['clone', '--quiet', '--no-checkout', checkout, dir], { stdio: 'pipe' });
  execFileSync('git', ['-C', dir, 'checkout', '--quiet', ref], { stdio: 'pipe' });
}

/** The phases of N iterations of one workload on one binary, from the lane's own marks. */
export async function breakdownOf(
  label: string,
  binary: string,
  workloadName: string,
  iterations: number,
  seed: number,
  signal?: AbortSignal,
): Promise<BreakdownRow> {
  const { workload } = await resolveStormWorkload(workloadName);
  const pool = await createLanePool({});
  const records: IterationRecord[] = [];
  /** Per iteration: from the previous record (or the batch's start) to its own, minus its duration. */
  const leftovers: number[] = [];
  let wallMs = 0;
  for (let from = 0; from < iterations; from += BATCH) {
    signal?.throwIfAborted();
    const indices = Array.from({ length: Math.min(BATCH, iterations - from) }, (_, i) => from + i);
    const t = performance.now();
    let last = t;
    const run = await runIterations({
      pool,
      binary,
      variant: 'plain',
      workload,
      seed,
      iterations: indices,
      stormId: `breakdown-${workloadName}`,
      onRecord: (r) => {
        const now = performance.now();
        leftovers.push(now - last - r.durationMs);
        last = now;
      },
      ...(signal ? { signal } : {}),
    });
    wallMs += performance.now() - t;
    records.push(...run.records);
  }
  signal?.throwIfAborted();
  const wall = wallMs / Math.max(1, records.length);
  const timed = records.flatMap((r) => (r.phases ? [r.phases] : []));
  const phases: PhaseFigure[] = phaseNames.map((phase) => {
    const xs = timed.map((p) => p[phase]);
    return { phase, meanMs: mean(xs), medianMs: median(xs), share: mean(xs) / wall };
  });
  // Whatever the lane's phases do not cover: the queue, the record's callback, the sandbox per batch.
  const harnessMs = wall - phases.reduce((a, p) => a + p.meanMs, 0);
  phases.push({ phase: 'harness', meanMs: harnessMs, medianMs: median(leftovers), share: harnessMs / wall });
  return {
    binary: label,
    workload: workloadName,
    iterations: records.length,
    secondsPerIteration: wall / 1000,
    phases,
    outcomes: count(records.map((r) => r.target.outcome.kind)),
    peerOutcomes: count(records.flatMap((r) => (r.peer ? [r.peer.outcome.kind] : []))),
  };
}

export async function iterationBreakdownBench(o: BreakdownOptions & { quick?: boolean } = {}) {
  const n = Math.min(1000, Math.max(1, o.iterations ?? (o.quick ? 10 : 40)));
  const seed = o.seed ?? 1;
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const workloads = o.workloads ?? defaultWorkloads;
  const buildOptions = o.signal ? { signal: o.signal } : {};
  const binaries: { label: string; binary: string }[] = [];
  log('iteration-breakdown: building the subject (plain)');
  binaries.push({
    label: 'subject',
    binary: (await build({}, ['plain'], buildOptions)).variants.plain.binary,
  });
  let clone: string | null = null;
  try {
    if (o.iperf) {
      const ref = o.ref ?? '3.18';
      clone = await mkdtemp(join(tmpdir(), 'sigstorm-breakdown-'));
      cloneAt(o.iperf, ref, clone);
      log(`iteration-breakdown: building iperf3 ${ref} (plain) from a clone of ${o.iperf}`);
      const built = await build({ repo: clone, ref }, ['plain'], buildOptions);
      binaries.push({ label: `iperf3 ${ref}`, binary: built.variants.plain.binary });
    }
    const start = conditionsNow();
    const rows: BreakdownRow[] = [];
    for (const workload of workloads) {
      for (const { label, binary } of binaries) {
        log(`iteration-breakdown: ${workload} on ${label}, ${n} iterations`);
        rows.push(await breakdownOf(label, binary, workload, n, seed, o.signal));
      }
    }
    return {
      iterations: n,
      seed,
      loadAtStart: formatLoad(start),
      loadAtEnd: formatLoad(conditionsNow()),
      rows,
    } satisfies BreakdownResult;
  } finally {
    if (clone) await rm(clone, { recursive: true, force: true });
  }
}

const phaseLabel: Readonly<Record<PhaseFigure['phase'], string>> = {
  setupMs: 'setup (port, CPUs)',
  startMs: 'start-up (spawn → exec)',
  readyMs: 'readiness (listen, streams)',
  delayMs: 'delay window',
  patternMs: 'pattern (gaps)',
  exitMs: 'signal → exit',
  checksMs: 'checks, trace, classify',
  cleanupMs: 'cleanup (kill, sweep, reap)',
  harness: 'harness (batch, sandbox, record)',
};

export function formatIterationBreakdown(r: BreakdownResult): string {
  const lines = [
    `Where an iteration's time goes: ${r.iterations} iterations per row, seed ${r.seed}, 1 lane (the default), sandboxed, batches of ${BATCH}; load ${r.loadAtStart} → ${r.loadAtEnd}`,
  ];
  for (const row of r.rows) {
    const outcomes = Object.entries(row.outcomes)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    const peers = Object.entries(row.peerOutcomes)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    lines.push(
      '',
      `${row.workload} on ${row.binary}: ${row.secondsPerIteration.toFixed(3)} s per iteration (${row.iterations}); target ${outcomes}; peer ${peers || '—'}`,
      `  ${'phase'.padEnd(34)} ${'mean ms'.padStart(8)} ${'median'.padStart(8)} ${'share'.padStart(6)}`,
    );
    for (const p of row.phases) {
      lines.push(
        `  ${phaseLabel[p.phase].padEnd(34)} ${p.meanMs.toFixed(1).padStart(8)} ${p.medianMs.toFixed(1).padStart(8)} ${`${(p.share * 100).toFixed(0)}%`.padStart(6)}`,
      );
    }
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (flag: string) => {
    const at = process.argv.indexOf(flag);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const iterations = arg('--iterations');
  const result = await iterationBreakdownBench({
    quick: process.argv.includes('--quick'),
    ...(iterations ? { iterations: Number(iterations) } : {}),
    ...(arg('--iperf') ? { iperf: arg('--iperf') as string } : {}),
    ...(arg('--ref') ? { ref: arg('--ref') as string } : {}),
    ...(arg('--workloads') ? { workloads: (arg('--workloads') as string).split(',') } : {}),
    ...(arg('--seed') ? { seed: Number(arg('--seed')) } : {}),
  });
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${formatIterationBreakdown(result)}\n`);
}
