import type { Outcome } from '../../src/classify/outcome.js';
import { IterationRecord } from '../../src/storm/record.js';

/** Outcomes and iteration records of one small storm: clean, a TSan race with a thread leak, a crash, a harness error. */
const common = { durationMs: 120, stderrHead: [] };
export const clean = (exitCode: number): Outcome => ({ kind: 'clean', exitCode, ...common });
export const crash: Outcome = {
  kind: 'crash',
  signal: 'SIGSEGV',
  exitCode: null,
  signature: 'SIGSEGV sig_handler',
  ...common,
};
export const race: Outcome = {
  kind: 'sanitizer',
  tool: 'tsan',
  reportKind: 'data race',
  signature: 'tsan: data race | iperf_set_done',
  frames: ['iperf_set_done'],
  report: 'WARNING: ThreadSanitizer: data race',
  more: 1,
  findings: [
    { tool: 'tsan', reportKind: 'data race', signature: 'tsan: data race | iperf_set_done', count: 1 },
    { tool: 'tsan', reportKind: 'thread leak', signature: 'tsan: thread leak | main', count: 1 },
  ],
  exitCode: 66,
  signal: null,
  ...common,
};
export const harness: Outcome = { kind: 'harness-error', reason: 'port in use', ...common };

export function record(iteration: number, target: Outcome, peer: Outcome | null): IterationRecord {
  return IterationRecord.parse({
    schemaVersion: 1,
    stormId: 's1',
    workload: 'server-burst',
    variant: 'tsan',
    binary: '/tmp/iperf3',
    iteration,
    seed: 7,
    lane: 0,
    cpus: '0,1',
    port: 20111,
    delayMs: 120,
    startedAt: '2026-01-01T00:00:00Z',
    durationMs: 300,
    target: { side: 'server', outcome: target },
    peer: peer === null ? null : { side: 'client', outcome: peer },
    repro: `node bin/sigstorm.js storm --only-iteration ${iteration}`,
  });
}

export const records = [
  record(0, clean(0), clean(0)),
  record(1, race, clean(1)),
  record(2, crash, null),
  record(3, harness, clean(0)),
  record(4, clean(1), crash),
];
