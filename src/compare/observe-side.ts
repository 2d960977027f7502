import { familiesOfOutcome, isNoiseOnly } from '../classify/family.js';
import { countOutcomes } from '../storm/count-outcomes.js';
import type { IterationRecord } from '../storm/record.js';
import type { Role } from '../workload/side.js';
import type { SideObservation, SignatureObservation } from './input.js';

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
  const signatures: SignatureObservation[] = tally.signatures.map((s) => ({
    ...s,
    family: families.get(s.signature) ?? null,
  }));
  return {
    outcomes: tally.outcomes,
    noiseOnly: records.filter((r) => isNoiseOnly(r.target.outcome, noisy)).length,
    peerOutcomes: tally.peerOutcomes,
    signatures,
    cleanExitCodes: cleanExitCodes(records, 'target'),
    peerCleanExitCodes: cleanExitCodes(records, 'peer'),
    interrupted,
  };
}
