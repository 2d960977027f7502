import { emptyOutcomeCounts, isFailure, type Outcome } from '../classify/outcome.js';
import type { IterationRecord, StormSummary } from '../storm/record.js';
import type { SideObservation, SignatureObservation } from './input.js';
import type { BinomialCount } from './stats/binomial-count.js';
import { addSplits, splitByReceivingThread } from './threads/split-by-thread.js';

/** The family a signature belongs to: `tool: report kind` for sanitizers, the signal for crashes. */
export function familyOf(outcome: Outcome): string | null {
  switch (outcome.kind) {
    case 'sanitizer':
      return `${outcome.tool}: ${outcome.reportKind}`;
    case 'crash':
      return outcome.signal;
    case 'bad-exit':
      return `exit ${outcome.exitCode}`;
    case 'bad-output':
    case 'stuck-server':
      return outcome.kind;
    case 'hang':
      return 'hang';
    default:
      return null;
  }
}

/** Signature → family over iteration records (every sanitizer finding of a process included). */
export function familiesOf(records: Iterable<IterationRecord>): Map<string, string> {
  const families = new Map<string, string>();
  for (const record of records) {
    for (const process of [record.target, record.peer]) {
      if (!process) continue;
      const { outcome } = process;
      const family = familyOf(outcome);
      if (outcome.kind !== 'clean' && outcome.kind !== 'harness-error' && family) {
        families.set(outcome.signature, family);
      }
      if ((outcome.kind === 'sanitizer' || outcome.kind === 'hang') && outcome.findings) {
        for (const f of outcome.findings) families.set(f.signature, `${f.tool}: ${f.reportKind}`);
      }
    }
  }
  return families;
}

/** Exit code → count over the clean outcomes of one role. */
export function cleanExitCodes(
  records: Iterable<IterationRecord>,
  role: 'target' | 'peer',
): Record<string, number> {
  const histogram: Record<string, number> = {};
  for (const record of records) {
    const outcome = role === 'target' ? record.target.outcome : record.peer?.outcome;
    if (outcome?.kind !== 'clean') continue;
    const key = String(outcome.exitCode);
    histogram[key] = (histogram[key] ?? 0) + 1;
  }
  return histogram;
}

/** A sanitizer outcome whose every report belongs to one of `noisyFamilies` (case-insensitive). */
export function isNoiseOnly(outcome: Outcome, noisyFamilies: readonly string[]): boolean {
  if (outcome.kind !== 'sanitizer' || noisyFamilies.length === 0) return false;
  const noisy = new Set(noisyFamilies.map((f) => f.toLowerCase()));
  const reports = outcome.findings?.length ? outcome.findings : [outcome];
  return reports.every((r) => noisy.has(`${r.tool}: ${r.reportKind}`.toLowerCase()));
}

/**
 * Judged iterations and failures of a batch of records, as the rate tests count them: harness
 * errors are not judged, noise-only sanitizer outcomes (see isNoiseOnly) count as clean.
 */
export function countBatch(
  records: Iterable<IterationRecord>,
  noisyFamilies: readonly string[] = [],
): BinomialCount {
  let n = 0;
  let failures = 0;
  for (const { target } of records) {
    if (target.outcome.kind === 'harness-error') continue;
    n++;
    if (isFailure(target.outcome) && !isNoiseOnly(target.outcome, noisyFamilies)) failures++;
  }
  return { n, failures };
}

/**
 * One side of a cell from its storm summary and iteration records (the records give exit codes,
 * signature families and noise-only outcomes; pass every record of that side and cell, and the
 * thresholds' findings.noisyFamilies).
 */
export function sideFromSummary(
  summary: StormSummary,
  records: readonly IterationRecord[],
  noisyFamilies: readonly string[] = [],
): SideObservation {
  const families = familiesOf(records);
  const signatures: SignatureObservation[] = summary.signatures.map((s) => ({
    ...s,
    family: families.get(s.signature) ?? null,
  }));
  return {
    outcomes: { ...emptyOutcomeCounts(), ...summary.outcomes },
    noiseOnly: records.filter((r) => isNoiseOnly(r.target.outcome, noisyFamilies)).length,
    peerOutcomes: { ...emptyOutcomeCounts(), ...summary.peerOutcomes },
    signatures,
    cleanExitCodes: cleanExitCodes(records, 'target'),
    peerCleanExitCodes: cleanExitCodes(records, 'peer'),
    interrupted: summary.interrupted,
    ...threadEvidence(summary, records),
  };
}

function addHistogram(
  into: Record<string, number>,
  from: Readonly<Record<string, number>> | undefined,
): void {
  for (const [code, n] of Object.entries(from ?? {})) into[code] = (into[code] ?? 0) + n;
}

/**
 * One side of a cell from several storms of it (e.g. one storm per batch), in the order they ran:
 * counts add up; a signature keeps the evidence and repro of its first storm.
 */
export function mergeSides(parts: readonly SideObservation[]): SideObservation {
  const outcomes = emptyOutcomeCounts();
  const peerOutcomes = emptyOutcomeCounts();
  const cleanExit: Record<string, number> = {};
  const peerCleanExit: Record<string, number> = {};
  const signatures = new Map<string, SignatureObservation>();
  let noiseOnly = 0;
  for (const part of parts) {
    for (const kind of Object.keys(outcomes) as (keyof typeof outcomes)[]) {
      outcomes[kind] += part.outcomes[kind];
      peerOutcomes[kind] += part.peerOutcomes[kind];
    }
    addHistogram(cleanExit, part.cleanExitCodes);
    addHistogram(peerCleanExit, part.peerCleanExitCodes);
    noiseOnly += part.noiseOnly ?? 0;
    for (const s of part.signatures) {
      const key = `${s.role}\u0000${s.side}\u0000${s.signature}`;
      const seen = signatures.get(key);
      signatures.set(
        key,
        seen ? { ...seen, count: seen.count + s.count, family: seen.family ?? s.family } : s,
      );
    }
  }
  return {
    outcomes,
    peerOutcomes,
    noiseOnly,
    signatures: [...signatures.values()],
    cleanExitCodes: cleanExit,
    peerCleanExitCodes: peerCleanExit,
    interrupted: parts.some((p) => p.interrupted === true),
    ...mergeThreadEvidence(parts),
  };
}

/** The census, the split by receiving thread and why tracing was off, as far as the records tell. */
function threadEvidence(
  summary: StormSummary,
  records: readonly IterationRecord[],
): Pick<SideObservation, 'census' | 'byThread' | 'tracingOff'> {
  const off = records.find((r) => r.trace?.kind === 'off')?.trace;
  return {
    ...(summary.census ? { census: summary.census } : {}),
    ...(records.some((r) => r.trace) ? { byThread: splitByReceivingThread(records) } : {}),
    ...(off?.kind === 'off' ? { tracingOff: off.why } : {}),
  };
}

function mergeThreadEvidence(
  parts: readonly SideObservation[],
): Pick<SideObservation, 'census' | 'byThread' | 'tracingOff'> {
  const census = parts.find((p) => p.census)?.census;
  const byThread = addSplits(parts.map((p) => p.byThread));
  const tracingOff = parts.find((p) => p.tracingOff)?.tracingOff;
  return {
    ...(census ? { census } : {}),
    ...(byThread ? { byThread } : {}),
    ...(tracingOff ? { tracingOff } : {}),
  };
}
