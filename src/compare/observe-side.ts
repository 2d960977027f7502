import { familiesOfOutcome, isNoiseOnly } from '../classify/family.js';
import { countOutcomes, signaturesOf } from '../storm/count-outcomes.js';
import type { IterationRecord } from '../storm/record.js';
import { judgedCensus } from '../storm/threads/signal-takers.js';
import { aimsOf, type CellAim, cellAims } from '../workload/aims.js';
import type { Role } from '../workload/side.js';
import type { SideObservation, SignatureObservation } from './input.js';
import { splitByReceivingThread } from './threads/split-by-thread.js';

/** Signature → family over iteration records (every sanitizer finding of a process included). */
export function familiesOf(records: Iterable<IterationRecord>): Map<string, string> {
  const families = new Map<string, string>();
  for (const record of records) {
    for (const process of [record.target, record.peer]) {
      if (process)
        for (const [signature, family] of familiesOfOutcome(process.outcome)) families.set(signature, family);
    }
  }
  return families;
}

const key = (role: Role, side: string, signature: string) => `${role}\u0000${side}\u0000${signature}`;

/** role, process and signature → the iterations that showed it. */
function iterationsOf(records: readonly IterationRecord[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  const note = (role: Role, side: string, signatures: readonly string[], iteration: number) => {
    for (const s of signatures) {
      const list = map.get(key(role, side, s)) ?? [];
      list.push(iteration);
      map.set(key(role, side, s), list);
    }
  };
  for (const r of records) {
    note('target', r.target.side, signaturesOf(r.target.outcome), r.iteration);
    if (r.peer) note('peer', r.peer.side, signaturesOf(r.peer.outcome), r.iteration);
  }
  return map;
}

/** Exit code → count over the clean outcomes of one role. */
export function cleanExitCodes(records: Iterable<IterationRecord>, role: Role): Record<string, number> {
  const histogram: Record<string, number> = {};
  for (const record of records) {
    const outcome = role === 'target' ? record.target.outcome : record.peer?.outcome;
    if (outcome?.kind !== 'clean') continue;
    const key = String(outcome.exitCode);
    histogram[key] = (histogram[key] ?? 0) + 1;
  }
  return histogram;
}

/**
 * One side (base or head) of a cell as the comparison reads it, from every iteration record of
 * that side and cell; `noisy` is the thresholds' findings.noisyFamilies.
 */
export function observeSide(
  records: readonly IterationRecord[],
  noisy: readonly string[] = [],
  { interrupted = false }: { readonly interrupted?: boolean } = {},
): SideObservation {
  const tally = countOutcomes(records);
  const families = familiesOf(records);
  const seen = iterationsOf(records);
  const signatures: SignatureObservation[] = tally.signatures.map((s) => ({
    ...s,
    family: families.get(s.signature) ?? null,
    iterations: (seen.get(key(s.role, s.side, s.signature)) ?? []).sort((a, b) => a - b),
  }));
  return {
    outcomes: tally.outcomes,
    noiseOnly: records.filter((r) => isNoiseOnly(r.target.outcome, noisy)).length,
    peerOutcomes: tally.peerOutcomes,
    signatures,
    cleanExitCodes: cleanExitCodes(records, 'target'),
    peerCleanExitCodes: cleanExitCodes(records, 'peer'),
    interrupted,
    ...threadEvidence(records),
  };
}

/** What the records' delivered patterns aimed at (src/workload/aims.ts), over all of them. */
export function recordAims(records: readonly IterationRecord[]): CellAim[] {
  const aims = new Set<CellAim>();
  for (const r of records) for (const a of aimsOf(r.signals ?? [], r.target.side)) aims.add(a);
  return cellAims.filter((a) => aims.has(a));
}

/** The census, the split by receiving thread and why tracing was off, as far as the records tell. */
function threadEvidence(
  records: readonly IterationRecord[],
): Pick<SideObservation, 'census' | 'byThread' | 'tracingOff' | 'aims'> {
  const census = judgedCensus(records);
  const off = records.find((r) => r.trace?.kind === 'off')?.trace;
  const aims = recordAims(records);
  return {
    ...(census ? { census } : {}),
    ...(aims.length > 0 ? { aims } : {}),
    ...(records.some((r) => r.trace) ? { byThread: splitByReceivingThread(records) } : {}),
    ...(off?.kind === 'off' ? { tracingOff: off.why } : {}),
  };
}
