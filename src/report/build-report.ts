import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellInput, ThroughputInput } from '../compare/input.js';
import { compareStability } from '../compare/stability/compare-stability.js';
import { compareThroughput } from '../compare/throughput/compare-throughput.js';
import { defaultThresholds, type Thresholds } from '../config/thresholds.schema.js';
import { installRoot } from '../util/paths.js';
import { headline } from './headline.js';
import { type BuildInfoInput, type NotRun, Report, reportSchemaVersion } from './report.schema.js';

export interface ReportRequest {
  readonly base: BuildInfoInput;
  readonly head: BuildInfoInput;
  /** Every storm cell (workload × variant × target side), base and head. */
  readonly cells: readonly CellInput[];
  /** Every throughput workload, with interleaved runs. */
  readonly throughput: readonly ThroughputInput[];
  /** What the configuration asked for that did not run, and why. */
  readonly notRun?: readonly NotRun[];
  readonly thresholds?: Thresholds;
  /** ISO time; defaults to now (tests pass a fixed one). */
  readonly generatedAt?: string;
  readonly sigstormVersion?: string;
}

function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(join(installRoot, 'package.json'), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string'
    ? pkg.version
    : 'unknown';
}

/** Compares base and head and assembles the versioned JSON report (validated by its schema). */
export function buildReport(request: ReportRequest): Report {
  const thresholds = request.thresholds ?? defaultThresholds;
  const stability = compareStability(request.cells, thresholds);
  const throughput = compareThroughput(request.throughput, thresholds.throughput);
  const verdict = { stability: stability.verdict, throughput: throughput.verdict };
  const summary = { stability: stability.summary, throughput: throughput.summary };
  return Report.parse({
    schemaVersion: reportSchemaVersion,
    generatedAt: request.generatedAt ?? new Date().toISOString(),
    sigstormVersion: request.sigstormVersion ?? packageVersion(),
    headline: headline(verdict, summary, { throughput: throughput.rows.length > 0 }),
    verdict,
    summary,
    base: request.base,
    head: request.head,
    thresholds,
    stability: {
      cells: stability.cells,
      signatures: stability.signatures,
      behaviourChanges: stability.behaviourChanges,
      threads: stability.threads,
      totals: stability.totals,
    },
    throughput: { rows: throughput.rows },
    notRun: [...(request.notRun ?? [])],
  });
}
