// Runs the real validate pipeline and times its storm phase from the progress events: the storm phase
// starts after the last build event and ends at the first report (or throughput) event.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ValidatePhase, ValidateProgress } from '../src/pipeline/request/contract.js';
import { runValidation } from '../src/pipeline/validate.js';
import { Report } from '../src/report/report.schema.js';

export type TimedRequest = Parameters<typeof runValidation>[0];

export interface TimedCell {
  readonly workload: string;
  readonly variant: string;
  readonly verdict: string;
  /** Iterations run per side (harness errors included). */
  readonly iterations: { readonly base: number; readonly head: number };
  readonly failures: { readonly base: number; readonly head: number };
  /** Why the cell's sequential test stopped (null: never stormed, or no sequential test). */
  readonly stop: string | null;
  readonly evidence: string;
}

export interface TimedValidation {
  readonly verdict: string;
  readonly headline: string;
  /** Wall time of the storm phase (every cell, base and head). */
  readonly stormSeconds: number;
  /** Wall time of the whole validation (builds from the cache, storms, report). */
  readonly totalSeconds: number;
  readonly iterations: { readonly base: number; readonly head: number };
  readonly cells: readonly TimedCell[];
  readonly cellsStormed: number;
}

/** A storm progress line every 15 s at most: enough to see a long bench move. */
export function stormProgressLog(log: (line: string) => void, prefix: string): (p: ValidateProgress) => void {
  let lastLog = Number.NEGATIVE_INFINITY;
  return (p) => {
    const now = performance.now();
    if (p.phase !== 'storm' || now - lastLog < 15_000) return;
    lastLog = now;
    log(`${prefix}${p.iterationsDone} iterations, ${p.cellsDone}/${p.cellsTotal} cells done: ${p.message}`);
  };
}

/** Runs runValidation into a temporary output directory (removed afterwards) and times its phases. */
export async function timedValidation(
  request: Omit<TimedRequest, 'outDir'>,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<TimedValidation> {
  const outDir = await mkdtemp(join(tmpdir(), 'sigstorm-bench-'));
  const started = performance.now();
  let lastBuild = started;
  let stormEnd: number | null = null;
  const stormLine = stormProgressLog(log, '    ');
  const seen = new Set<ValidatePhase>();
  try {
    const result = await runValidation(
      { ...request, outDir },
      {
        ...(signal ? { signal } : {}),
        onProgress: (p) => {
          const now = performance.now();
          seen.add(p.phase);
          if (p.phase === 'build') lastBuild = now;
          if ((p.phase === 'report' || p.phase === 'throughput') && stormEnd === null) stormEnd = now;
          stormLine(p);
        },
      },
    );
    const ended = performance.now();
    const report = Report.parse(result.report);
    const cells = report.stability.cells.map(
      (c): TimedCell => ({
        workload: c.workload,
        variant: c.variant,
        verdict: c.verdict,
        iterations: { base: c.base.iterations, head: c.head.iterations },
        failures: { base: c.base.failures, head: c.head.failures },
        stop: c.sequential?.reason ?? null,
        evidence: c.sequential?.evidence ?? c.because,
      }),
    );
    return {
      verdict: result.verdict.stability,
      headline: result.headline,
      stormSeconds: ((stormEnd ?? ended) - lastBuild) / 1000,
      totalSeconds: (ended - started) / 1000,
      iterations: report.stability.totals.iterations,
      cells,
      cellsStormed: cells.filter((c) => c.iterations.base + c.iterations.head > 0).length,
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
