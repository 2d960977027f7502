import { describe, expect, it } from 'vitest';
import { emptyOutcomeCounts, type Outcome } from '../../src/classify/outcome.js';
import {
  cleanExitCodes,
  countBatch,
  familiesOf,
  familyOf,
  isNoiseOnly,
  mergeSides,
  sideFromSummary,
} from '../../src/compare/adapters.js';
import { IterationRecord, StormSummary } from '../../src/storm/record.js';

const common = { durationMs: 120, stderrHead: [] };
const clean = (exitCode: number): Outcome => ({ kind: 'clean', exitCode, ...common });
const crash: Outcome = {
  kind: 'crash',
  signal: 'SIGSEGV',
  exitCode: null,
  signature: 'SIGSEGV sig_handler',
  ...common,
};
const race: Outcome = {
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
const harness: Outcome = { kind: 'harness-error', reason: 'port in use', ...common };

function record(iteration: number, target: Outcome, peer: Outcome | null): IterationRecord {
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
    repro: `npx sigstorm storm --only-iteration ${iteration}`,
  });
}

const records = [
  record(0, clean(0), clean(0)),
  record(1, race, clean(1)),
  record(2, crash, null),
  record(3, harness, clean(0)),
  record(4, clean(1), crash),
];

describe('adapters from storm records', () => {
  it('names signature families: tool and report kind, the signal, the exit code', () => {
    expect(familyOf(race)).toBe('tsan: data race');
    expect(familyOf(crash)).toBe('SIGSEGV');
    expect(familyOf(clean(0))).toBeNull();
    expect(Object.fromEntries(familiesOf(records))).toEqual({
      'tsan: data race | iperf_set_done': 'tsan: data race',
      'tsan: thread leak | main': 'tsan: thread leak',
      'SIGSEGV sig_handler': 'SIGSEGV',
    });
  });

  it('counts a batch without its harness errors', () => {
    expect(countBatch(records)).toEqual({ n: 4, failures: 2 });
  });

  it('counts an iteration whose reports are all of noisy families as clean', () => {
    const noisy = ['tsan: data race', 'tsan: thread leak'];
    expect(isNoiseOnly(race, noisy)).toBe(true);
    expect(isNoiseOnly(race, ['tsan: data race'])).toBe(false); // the thread leak is not noise
    expect(isNoiseOnly(crash, noisy)).toBe(false);
    expect(countBatch(records, noisy)).toEqual({ n: 4, failures: 1 });
  });

  it('makes exit-code histograms of clean outcomes per role', () => {
    expect(cleanExitCodes(records, 'target')).toEqual({ '0': 1, '1': 1 });
    expect(cleanExitCodes(records, 'peer')).toEqual({ '0': 2, '1': 1 });
  });

  it('turns a storm summary and its records into one side of a cell', () => {
    const summary = StormSummary.parse({
      schemaVersion: 1,
      stormId: 's1',
      workload: 'server-burst',
      variant: 'tsan',
      binary: '/tmp/iperf3',
      seed: 7,
      lanes: 1,
      iterationsPlanned: 5,
      iterationsDone: 5,
      outcomes: { ...emptyOutcomeCounts(), clean: 2, sanitizer: 1, crash: 1, 'harness-error': 1 },
      peerOutcomes: { ...emptyOutcomeCounts(), clean: 3, crash: 1 },
      signatures: [
        {
          signature: 'tsan: thread leak | main',
          kind: 'sanitizer',
          side: 'server',
          role: 'target',
          count: 1,
          firstIteration: 1,
          excerpt: 'tsan: thread leak in main',
          evidence: 'WARNING: ThreadSanitizer: thread leak',
          repro: 'npx sigstorm storm --only-iteration 1',
        },
      ],
      interrupted: false,
      elapsedMs: 1500,
      resultsFile: '/tmp/s1.jsonl',
    });
    const side = sideFromSummary(summary, records, ['TSan: data race', 'tsan: thread leak']);
    expect(side.noiseOnly).toBe(1);
    expect(side.signatures[0]?.family).toBe('tsan: thread leak');
    expect(side.cleanExitCodes).toEqual({ '0': 1, '1': 1 });
    expect(side.outcomes.sanitizer).toBe(1);
    expect(side.interrupted).toBe(false);
  });

  it('merges the storms of one side (one per batch): counts add up, the first evidence stays', () => {
    const part = (n: number, count: number, evidence: string, interrupted = false) => ({
      outcomes: { ...emptyOutcomeCounts(), clean: n - count, crash: count },
      peerOutcomes: { ...emptyOutcomeCounts(), clean: n },
      noiseOnly: 0,
      signatures: [
        {
          signature: 'SIGSEGV sig_handler',
          kind: 'crash' as const,
          family: 'SIGSEGV',
          side: 'server' as const,
          role: 'target' as const,
          count,
          firstIteration: 2,
          excerpt: 'SIGSEGV',
          evidence,
          repro: `repro ${evidence}`,
        },
      ],
      cleanExitCodes: { '0': n - count },
      interrupted,
    });
    const merged = mergeSides([part(10, 2, 'first'), part(10, 3, 'second', true)]);
    expect(merged.outcomes).toMatchObject({ clean: 15, crash: 5 });
    expect(merged.signatures).toEqual([
      expect.objectContaining({ count: 5, evidence: 'first', repro: 'repro first' }),
    ]);
    expect(merged.cleanExitCodes).toEqual({ '0': 15 });
    expect(merged.interrupted).toBe(true);
  });
});
