import { outcomeKinds } from '../classify/outcome.js';
import type { StormSummary } from '../storm/record.js';
import { formatDuration } from './storm-progress.js';

/** The end-of-storm text for a person: counts, then each failure signature with its repro. */
export function formatStormSummary(s: StormSummary): string {
  const out: string[] = [];
  const status = s.interrupted ? `interrupted after ${s.iterationsDone} of ${s.iterationsPlanned}` : 'done';
  out.push(
    `storm ${s.workload} (${s.variant}) ${status}: ${s.iterationsDone} iterations on ${s.lanes} lane(s) in ${formatDuration(s.elapsedMs)}, seed ${s.seed}`,
  );
  out.push(`  target: ${outcomeKinds.map((k) => `${k} ${s.outcomes[k]}`).join(', ')}`);
  const peers = outcomeKinds.reduce((sum, k) => sum + s.peerOutcomes[k], 0);
  out.push(
    peers === 0 && s.iterationsDone > 0
      ? '  peer:   none (the workload starts no peer)'
      : `  peer:   ${outcomeKinds.map((k) => `${k} ${s.peerOutcomes[k]}`).join(', ')}`,
  );
  for (const h of s.harnessErrors ?? []) {
    out.push(`  harness error ×${h.count} (first: iteration ${h.firstIteration}): ${h.reason}`);
  }
  for (const sig of s.signatures) {
    out.push('');
    out.push(
      `  ${sig.role === 'target' ? 'FAILURE' : 'peer evidence'} ×${sig.count} [${sig.kind}, ${sig.side}] ${sig.signature}`,
    );
    out.push(`    ${sig.excerpt}`);
    out.push(`    first: iteration ${sig.firstIteration}; rerun: ${sig.repro}`);
  }
  out.push('');
  out.push(`  results: ${s.resultsFile}`);
  return `${out.join('\n')}\n`;
}
