import { describe, expect, expectTypeOf, it } from 'vitest';
import { familyOf } from '../../src/classify/family.js';
import {
  emptyOutcomeCounts,
  isFailure,
  judgedOf,
  Outcome,
  type OutcomeKind,
  outcomeClass,
  outcomeKinds,
} from '../../src/classify/outcome.js';
import { countBatch } from '../../src/compare/sequential/count-batch.js';
import { judgedCount } from '../../src/compare/stability/side-stats.js';
import { record } from '../support/record-fixtures.js';

const common = { durationMs: 10, stderrHead: [] };
/** One outcome of each kind; `satisfies` fails to compile when a kind is missing here. */
const examples = {
  clean: { kind: 'clean', exitCode: 0, ...common },
  crash: { kind: 'crash', signal: 'SIGSEGV', exitCode: null, signature: 'SIGSEGV f', ...common },
  sanitizer: {
    kind: 'sanitizer',
    tool: 'asan',
    reportKind: 'heap-use-after-free',
    signature: 'asan: heap-use-after-free | f',
    frames: ['f'],
    report: 'ERROR: AddressSanitizer: heap-use-after-free',
    more: 0,
    exitCode: 1,
    signal: null,
    ...common,
  },
  hang: { kind: 'hang', timeoutMs: 1000, signature: 'hang | sigwait', backtrace: '#0 sigwait', ...common },
  'bad-exit': { kind: 'bad-exit', exitCode: 3, signature: 'exit 3', ...common },
  'bad-output': {
    kind: 'bad-output',
    exitCode: 0,
    signal: null,
    problem: 'stdout is empty: no JSON document',
    signature: 'bad-output: stdout is empty: no JSON document',
    stdoutHead: '',
    ...common,
  },
  'stuck-server': {
    kind: 'stuck-server',
    exitCode: null,
    signal: null,
    signature: 'stuck-server: follow-up timed out',
    followUp: { exitCode: null, signal: null, timedOut: true, stderrHead: [] },
    ...common,
  },
  'port-held': {
    kind: 'port-held',
    exitCode: 0,
    signal: null,
    signature: 'port-held:listening',
    port: 5201,
    listening: true,
    established: 0,
    holders: [{ pid: 4242, comm: 'iperf3' }],
    ...common,
  },
  'harness-error': { kind: 'harness-error', reason: 'port in use', ...common },
} as const satisfies { [K in OutcomeKind]: Extract<Outcome, { kind: K }> };

describe('outcome kinds: one definition', () => {
  it('lists exactly the kinds of the outcome union, each classed once', () => {
    expectTypeOf<(typeof outcomeKinds)[number]>().toEqualTypeOf<OutcomeKind>();
    expectTypeOf<keyof typeof outcomeClass>().toEqualTypeOf<OutcomeKind>();
    const unionKinds = Outcome.options.map((o) => o.shape.kind.value);
    expect([...outcomeKinds].sort()).toEqual([...unionKinds].sort());
    expect(Object.keys(emptyOutcomeCounts()).sort()).toEqual([...unionKinds].sort());
    for (const kind of unionKinds) expect(['clean', 'failure', 'not-judged']).toContain(outcomeClass[kind]);
  });

  it('the sequential count and the Fisher count agree on every kind', () => {
    for (const kind of outcomeKinds) {
      const outcome = Outcome.parse(examples[kind]);
      const batch = countBatch([record(0, outcome, null)]);
      const counts = { ...emptyOutcomeCounts(), [kind]: 1 };
      const side = {
        outcomes: counts,
        peerOutcomes: emptyOutcomeCounts(),
        signatures: [],
        cleanExitCodes: {},
      };
      expect(judgedCount(side), kind).toEqual(batch);
      expect(judgedOf(counts), kind).toEqual({ judged: batch.n, failures: batch.failures });
      expect(isFailure(outcome), kind).toBe(outcomeClass[kind] === 'failure');
      // A failure always has a signature and a family; a clean or not-judged outcome has neither.
      expect('signature' in outcome, kind).toBe(isFailure(outcome));
      expect(familyOf(outcome) !== null, kind).toBe(isFailure(outcome));
    }
  });
});
