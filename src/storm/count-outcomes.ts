import { emptyOutcomeCounts, type Outcome, type OutcomeCounts, unhandledKind } from '../classify/outcome.js';
import type { Role, Side } from '../workload/side.js';
import { evidenceOf, excerptOf } from './evidence.js';
import type { IterationRecord, SignatureCount, StormSummary } from './record.js';

/** Every signature an outcome carries: the primary one, then further distinct sanitizer findings. */
export function signaturesOf(outcome: Outcome): string[] {
  switch (outcome.kind) {
    case 'clean':
    case 'harness-error':
      return [];
    case 'sanitizer':
    case 'hang': {
      const more = (outcome.findings ?? []).map((f) => f.signature);
      return [...new Set([outcome.signature, ...more])];
    }
    case 'crash':
    case 'bad-exit':
    case 'bad-output':
    case 'stuck-server':
    case 'port-held':
      return [outcome.signature];
    default:
      return unhandledKind(outcome);
  }
}

export interface OutcomeTally {
  readonly outcomes: OutcomeCounts;
  readonly peerOutcomes: OutcomeCounts;
  /** Target signatures first, then by count. */
  readonly signatures: SignatureCount[];
  readonly harnessErrors: NonNullable<StormSummary['harnessErrors']>;
}

/** Counts outcomes by class (target and peer apart) and by signature, with evidence and a repro. */
export function countOutcomes(records: readonly IterationRecord[]): OutcomeTally {
  const outcomes = emptyOutcomeCounts();
  const peerOutcomes = emptyOutcomeCounts();
  const signatures = new Map<string, SignatureCount>();
  const harness = new Map<string, { reason: string; count: number; firstIteration: number }>();
  const sorted = [...records].sort((a, b) => a.iteration - b.iteration);

  const note = (record: IterationRecord, role: Role, side: Side, outcome: Outcome) => {
    for (const signature of signaturesOf(outcome)) {
      const key = `${role}\u0000${side}\u0000${signature}`;
      const seen = signatures.get(key);
      if (seen) {
        signatures.set(key, { ...seen, count: seen.count + 1 });
        continue;
      }
      signatures.set(key, {
        signature,
        kind: outcome.kind,
        side,
        role,
        count: 1,
        firstIteration: record.iteration,
        excerpt: excerptOf(outcome),
        evidence: evidenceOf(outcome),
        repro: record.repro,
      });
    }
  };

  for (const record of sorted) {
    outcomes[record.target.outcome.kind]++;
    note(record, 'target', record.target.side, record.target.outcome);
    if (record.peer) {
      peerOutcomes[record.peer.outcome.kind]++;
      note(record, 'peer', record.peer.side, record.peer.outcome);
    }
    for (const side of [record.target, record.peer]) {
      if (side?.outcome.kind !== 'harness-error') continue;
      // Only the iteration's first harness failure counts; "not started" on the other side follows from it.
      if (side !== record.target && record.target.outcome.kind === 'harness-error') continue;
      const reason = side.outcome.reason.replace(/\d+/g, 'N');
      const seen = harness.get(reason);
      harness.set(reason, {
        reason: seen?.reason ?? side.outcome.reason,
        count: (seen?.count ?? 0) + 1,
        firstIteration: seen?.firstIteration ?? record.iteration,
      });
    }
  }
  return {
    outcomes,
    peerOutcomes,
    signatures: [...signatures.values()].sort(
      (a, b) => Number(a.role === 'peer') - Number(b.role === 'peer') || b.count - a.count,
    ),
    harnessErrors: [...harness.values()].sort((a, b) => b.count - a.count),
  };
}
