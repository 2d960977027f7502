import type { VariantName } from '../build/variants.js';
import { emptyOutcomeCounts, type Outcome } from '../classify/outcome.js';
import type { IterationRecord, Side, SignatureCount, StormSummary } from './record.js';
import { summariseCensus } from './threads/signal-takers.js';

export interface SummaryMeta {
  readonly stormId: string;
  readonly workload: string;
  readonly variant: VariantName;
  readonly binary: string;
  readonly seed: number;
  readonly lanes: number;
  readonly iterationsPlanned: number;
  readonly interrupted: boolean;
  readonly elapsedMs: number;
  readonly resultsFile: string;
}

/** One line that says what a failure is: the sanitizer headline, the signal, the exit code. */
export function excerptOf(outcome: Outcome): string {
  const first = outcome.stderrHead.find((l) => l.trim() !== '') ?? '';
  switch (outcome.kind) {
    case 'crash':
      return [outcome.signal ?? 'fatal marker', first].filter(Boolean).join(': ');
    case 'sanitizer':
      return sanitizerHeadline(outcome.report) ?? `${outcome.tool}: ${outcome.reportKind}`;
    case 'hang':
      return `no exit within ${outcome.timeoutMs} ms: ${outcome.signature}`;
    case 'bad-exit':
      return `exit ${outcome.exitCode}${first ? `: ${first}` : ''}`;
    case 'bad-output':
      return outcome.problem;
    case 'stuck-server':
      return `the next client was not served (${followUpText(outcome.followUp)})`;
    case 'harness-error':
      return outcome.reason;
    case 'clean':
      return `exit ${outcome.exitCode}`;
  }
}

/** The report's own headline (`ERROR: AddressSanitizer: …`), without pid and addresses. */
function sanitizerHeadline(report: string): string | null {
  const line = report.split('\n').find((l) => /(ERROR|WARNING): \w+Sanitizer:|runtime error:/.test(l));
  if (!line) return null;
  return line
    .replace(/^==\d+==/, '')
    .replace(/0x[0-9a-f]+/gi, '0x…')
    .trim();
}

/** The full evidence kept for a signature's first occurrence. */
export function evidenceOf(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'sanitizer':
      return outcome.report;
    case 'hang':
      return outcome.backtrace;
    case 'bad-output':
      return `${outcome.problem}\n\nstdout began:\n${outcome.stdoutHead}`;
    case 'stuck-server':
      return [`follow-up client: ${followUpText(outcome.followUp)}`, ...outcome.followUp.stderrHead].join(
        '\n',
      );
    default:
      return outcome.stderrHead.join('\n');
  }
}

/** Every signature an outcome carries: the primary one, then further distinct sanitizer findings. */
function signaturesOf(outcome: Outcome): string[] {
  switch (outcome.kind) {
    case 'clean':
    case 'harness-error':
      return [];
    case 'sanitizer':
    case 'hang': {
      const more = (outcome.findings ?? []).map((f) => f.signature);
      return [...new Set([outcome.signature, ...more])];
    }
    default:
      return [outcome.signature];
  }
}

/** Counts outcomes by class (target and peer apart) and by signature, with evidence and a repro. */
export function summarise(records: readonly IterationRecord[], meta: SummaryMeta): StormSummary {
  const outcomes = emptyOutcomeCounts();
  const peerOutcomes = emptyOutcomeCounts();
  const signatures = new Map<string, SignatureCount>();
  const harness = new Map<string, { reason: string; count: number; firstIteration: number }>();
  const sorted = [...records].sort((a, b) => a.iteration - b.iteration);

  const note = (record: IterationRecord, role: 'target' | 'peer', side: Side, outcome: Outcome) => {
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
  const durations = sorted.map((r) => r.durationMs).sort((a, b) => a - b);
  const mid = durations.length / 2;
  const median =
    durations.length === 0
      ? 0
      : durations.length % 2 === 1
        ? (durations[Math.floor(mid)] ?? 0)
        : ((durations[mid - 1] ?? 0) + (durations[mid] ?? 0)) / 2;

  return {
    schemaVersion: 1,
    stormId: meta.stormId,
    workload: meta.workload,
    variant: meta.variant,
    binary: meta.binary,
    seed: meta.seed,
    lanes: meta.lanes,
    iterationsPlanned: meta.iterationsPlanned,
    iterationsDone: records.length,
    outcomes,
    peerOutcomes,
    signatures: [...signatures.values()].sort(
      (a, b) => Number(a.role === 'peer') - Number(b.role === 'peer') || b.count - a.count,
    ),
    harnessErrors: [...harness.values()].sort((a, b) => b.count - a.count),
    ...censusOf(sorted),
    medianIterationMs: median,
    interrupted: meta.interrupted,
    elapsedMs: Math.round(meta.elapsedMs),
    resultsFile: meta.resultsFile,
  };
}

function censusOf(records: readonly IterationRecord[]): { census?: StormSummary['census'] } {
  const census = summariseCensus(records.flatMap((r) => r.census?.[r.target.side] ?? []));
  return census ? { census } : {};
}

function followUpText(f: { exitCode: number | null; signal: string | null; timedOut: boolean }): string {
  if (f.timedOut) return 'it did not finish in time';
  return f.signal ? `it died of ${f.signal}` : `it exited ${f.exitCode}`;
}
