import { describe, expect, it } from 'vitest';
import type { CellInput } from '../../src/compare/input.js';
import { bucketSignatures } from '../../src/compare/signatures/bucket-signatures.js';
import { groupCauses, signatureLabel } from '../../src/compare/signatures/group-causes.js';
import { defaultThresholds } from '../../src/config/thresholds.schema.js';
import { cell, repeat, signature } from '../support/report-fixtures.js';

const findings = defaultThresholds.findings;
const causesOf = (cells: CellInput[]) => groupCauses(cells, bucketSignatures(cells, findings));

const crash = (name: string, iterations: number[], extra: Partial<Parameters<typeof signature>[0]> = {}) =>
  signature({
    workload: 'client-burst',
    variant: 'plain',
    signature: name,
    kind: 'crash',
    family: 'SIGSEGV',
    count: iterations.length,
    firstIteration: iterations[0] ?? 0,
    iterations,
    excerpt: name,
    evidence: name,
    side: 'client',
    ...extra,
  });

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

const asan = (name: string, family: string, iterations: number[]) =>
  signature({
    workload: 'client-burst',
    variant: 'asan',
    signature: name,
    kind: 'sanitizer',
    family,
    count: iterations.length,
    firstIteration: iterations[0] ?? 0,
    iterations,
    excerpt: name,
    evidence: name,
    side: 'client',
  });

describe('groupCauses', () => {
  it('makes SIGSEGV and stack smashing of one cell and side one finding that counts failing iterations', () => {
    const c = cell({
      workload: 'client-burst',
      variant: 'plain',
      side: 'client',
      batches: repeat(22, 0, 1),
      head: [
        crash('crash:SIGSEGV in longjmp < sig_handler', range(0, 15)),
        crash('crash:stack smashing detected', range(100, 7), { family: 'SIGABRT' }),
      ],
    });
    const causes = causesOf([c]);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({
      workload: 'client-burst',
      variant: 'plain',
      kind: 'crash',
      family: null,
      finding: true,
      bucket: 'new',
      headline: '22 of 220 crashed: SIGSEGV ×15, stack smashing detected ×7',
      iterations: { base: { failing: 0, judged: 220 }, head: { failing: 22, judged: 220 } },
      signatures: [
        { signature: 'crash:SIGSEGV in longjmp < sig_handler', label: 'SIGSEGV', count: 15 },
        { signature: 'crash:stack smashing detected', label: 'stack smashing detected', count: 7 },
      ],
    });
  });

  it('counts an iteration that showed two signatures of the cause once', () => {
    const c = cell({
      workload: 'client-burst',
      variant: 'asan',
      side: 'client',
      failureKind: 'sanitizer',
      batches: repeat(10, 0, 1),
      head: [
        asan('asan:SEGV in iperf_send_stream < worker_thread', 'asan: SEGV', [1, 2, 3, 4]),
        asan('asan:SEGV in iperf_recv < worker_thread', 'asan: SEGV', [3, 4, 5]),
      ],
    });
    const [only, ...rest] = causesOf([c]);
    expect(rest).toEqual([]);
    expect(only?.iterations.head.failing).toBe(5);
    expect(only?.headline).toBe(
      '5 of 100 reported asan: SEGV: iperf_send_stream < worker_thread ×4, iperf_recv < worker_thread ×3',
    );
  });

  it('never merges different sanitizer kinds, different cells, sides or blame', () => {
    const asanCell = cell({
      workload: 'client-burst',
      variant: 'asan',
      side: 'client',
      failureKind: 'sanitizer',
      batches: repeat(10, 0, 1),
      head: [
        asan('asan:SEGV in f', 'asan: SEGV', [1]),
        asan('asan:heap-use-after-free in f', 'asan: heap-use-after-free', [2]),
        asan('ubsan:signed-integer-overflow in g', 'ubsan: signed-integer-overflow', [3]),
      ],
    });
    const plainCell = cell({
      workload: 'client-burst',
      variant: 'plain',
      side: 'client',
      batches: repeat(10, 1, 1),
      base: [crash('crash:SIGABRT', [7])],
      head: [
        crash('crash:SIGSEGV', [1]),
        crash('crash:SIGABRT', [2]), // persisting: not the same pattern as the new SIGSEGV
        crash('crash:SIGSEGV', [4], { role: 'peer', side: 'server' }),
      ],
    });
    const causes = causesOf([asanCell, plainCell]);
    const asanCauses = causes.filter((c) => c.variant === 'asan');
    expect(asanCauses.map((c) => c.family).sort()).toEqual([
      'asan: SEGV',
      'asan: heap-use-after-free',
      'ubsan: signed-integer-overflow',
    ]);
    const plain = causes.filter((c) => c.variant === 'plain');
    expect(plain.map((c) => [c.role, c.bucket, c.signatures.map((s) => s.label)])).toEqual([
      ['target', 'new', ['SIGSEGV']],
      ['target', 'persisting', ['SIGABRT']],
      ['peer', 'new', ['SIGSEGV']],
    ]);
  });

  it('makes the follow-up reports of one crash one cause across kinds, in the very same iterations', () => {
    // One ASan crash per iteration reported twice (a SEGV and the use-after-free it follows from), at
    // the same frame: one cause (issue 26), named by the first kind; the other SEGV stack joins it too.
    const same = [1, 2, 5];
    const asanCell = cell({
      workload: 'client-burst',
      variant: 'asan',
      side: 'client',
      failureKind: 'sanitizer',
      batches: repeat(10, 0, 1),
      head: [
        asan('asan:SEGV in f', 'asan: SEGV', same),
        asan('asan:SEGV in g', 'asan: SEGV', same),
        asan('asan:heap-use-after-free in f', 'asan: heap-use-after-free', same),
      ],
    });
    const causes = causesOf([asanCell]);
    expect(causes).toHaveLength(1);
    expect(causes[0]?.family).toBe('asan: heap-use-after-free');
    expect(causes[0]?.iterations.head.failing).toBe(3);
    expect(causes[0]?.signatures.map((s) => s.label)).toEqual(['f', 'SEGV in f', 'SEGV in g']);
  });

  it('names a fixed cause by what base showed', () => {
    const c = cell({
      workload: 'client-burst',
      variant: 'plain',
      side: 'client',
      batches: repeat(5, 2, 0),
      base: [crash('crash:SIGSEGV in a', range(0, 6)), crash('crash:stack smashing detected', range(10, 4))],
    });
    expect(causesOf([c])).toMatchObject([
      { bucket: 'fixed', headline: '10 of 50 crashed: SIGSEGV ×6, stack smashing detected ×4' },
    ]);
  });

  describe('one crash across sanitizer kinds', () => {
    const stack = 'iperf_block_sigend (signals.c) < main (main.c)';
    const asanCell = (head: ReturnType<typeof asan>[]) =>
      cell({
        workload: 'client-burst',
        variant: 'asan',
        side: 'client',
        failureKind: 'sanitizer',
        batches: repeat(10, 0, 1),
        head,
      });

    it('is one cause when the reports share an iteration and their stack (a stackless one agrees)', () => {
      const causes = causesOf([
        asanCell([
          asan(`asan:stack-buffer-overflow in ${stack}`, 'asan: stack-buffer-overflow', [3, 5]),
          asan(`asan:SEGV in ${stack}`, 'asan: SEGV', [3]),
          asan('asan:CHECK failed', 'asan: CHECK failed', [5]),
        ]),
      ]);
      expect(causes).toHaveLength(1);
      const [only] = causes;
      expect(only?.family).toBe('asan: stack-buffer-overflow');
      expect(only?.iterations.head).toEqual({ failing: 2, judged: 100 });
      expect(only?.headline).toBe(
        `2 of 100 reported asan: stack-buffer-overflow: ${stack} ×2, CHECK failed ×1, SEGV in ${stack} ×1`,
      );
      expect(only?.signatures.map((s) => s.label)).toEqual([stack, 'CHECK failed', `SEGV in ${stack}`]);
    });

    it('stays apart for other stacks in the same iteration, or the same stack in other iterations', () => {
      const otherStack = causesOf([
        asanCell([
          asan(`asan:stack-buffer-overflow in ${stack}`, 'asan: stack-buffer-overflow', [3]),
          asan('asan:SEGV in iperf_recv (net.c) < worker (stream.c)', 'asan: SEGV', [3]),
        ]),
      ]);
      expect(otherStack.map((c) => c.family)).toEqual(['asan: SEGV', 'asan: stack-buffer-overflow']);
      const otherIteration = causesOf([
        asanCell([
          asan(`asan:stack-buffer-overflow in ${stack}`, 'asan: stack-buffer-overflow', [1]),
          asan(`asan:SEGV in ${stack}`, 'asan: SEGV', [2]),
        ]),
      ]);
      expect(otherIteration).toHaveLength(2);
    });
  });
});

describe('signatureLabel', () => {
  it('keeps what tells a cause’s signatures apart', () => {
    const label = (kind: 'crash' | 'sanitizer' | 'hang', signature: string, family: string | null = null) =>
      signatureLabel({ kind, signature, family });
    expect(label('crash', 'crash:SIGSEGV in a < b', 'SIGSEGV')).toBe('SIGSEGV');
    expect(label('crash', 'crash:stack smashing detected', 'SIGABRT')).toBe('stack smashing detected');
    expect(label('sanitizer', 'asan:SEGV in a < b', 'asan: SEGV')).toBe('a < b');
    expect(label('sanitizer', 'tsan:data race between a and b', 'tsan: data race')).toBe('between a and b');
    // A report kind with " in " in its name, with and without a stack.
    expect(
      label('sanitizer', 'asan:nested bug in the same thread', 'asan: nested bug in the same thread'),
    ).toBe('(no stack)');
    expect(
      label(
        'sanitizer',
        'asan:nested bug in the same thread in f < g',
        'asan: nested bug in the same thread',
      ),
    ).toBe('f < g');
    expect(label('hang', 'hang:futex_wait', 'hang')).toBe('hang:futex_wait');
  });
});
