import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Comparison } from '../compare/comparison.schema.js';
import { defaultThresholds, type Thresholds } from '../config/thresholds.schema.js';
import { installRoot } from '../util/paths.js';
import { headline } from './headline.js';
import { type BuildInfoInput, type NotRun, Report, reportSchemaVersion } from './report.schema.js';
import { throughputLabel } from './throughput-label.js';

export interface ReportRequest {
  readonly base: BuildInfoInput;
  readonly head: BuildInfoInput;
  /** What compare found (src/compare/compare.ts), under `thresholds`. */
  readonly comparison: Comparison;
  /** What the configuration asked for that did not run, and why. */
  readonly notRun?: readonly NotRun[];
  readonly thresholds?: Thresholds;
  /** ISO time; defaults to now (tests pass a fixed one). */
  readonly generatedAt?: string;
  readonly sigstormVersion?: string;
}

export function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(join(installRoot, 'package.json'), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string'
    ? pkg.version
    : 'unknown';
}

/** Assembles the versioned JSON report from a comparison, build info and not-run entries (validated by its schema). */
export function buildReport(request: ReportRequest): Report {
  const { verdict, summary, stability, throughput } = request.comparison;
  return Report.parse({
    schemaVersion: reportSchemaVersion,
    generatedAt: request.generatedAt ?? new Date().toISOString(),
    sigstormVersion: request.sigstormVersion ?? packageVersion(),
    headline: headline(verdict, summary, {
      throughput: throughput.rows.length > 0,
      throughputLabel: throughputLabel(throughput.rows, verdict.throughput),
    }),
    verdict,
    summary,
    base: request.base,
    head: request.head,
    thresholds: request.thresholds ?? defaultThresholds,
    stability,
    throughput,
    notRun: [...(request.notRun ?? [])],
  });
}
