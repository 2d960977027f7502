import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyProcess, type ProcessEnd } from '../../src/classify/classify-process.js';
import { hangSignature } from '../../src/classify/hang-signature.js';
import { findSanitizerReports } from '../../src/classify/sanitizer-report.js';
import { installRoot } from '../../src/util/paths.js';

const captured = (name: string): Promise<string> =>
  readFile(join(installRoot, 'test', 'fixtures', 'crashers', 'captured', name), 'utf8');

function ended(stderr: string, exitCode: number): ProcessEnd {
  return { exitCode, signal: null, stdout: '', stderr, durationMs: 1, timedOut: false, timeoutMs: 1000 };
}

const iperfLike = { cleanExitCodes: [0, 1], cleanSignals: [] };

describe('rare outcomes captured from the subject', () => {
  it('two longjmp CHECKs sharing one printed stack are one finding, counted twice', async () => {
    const outcome = classifyProcess(
      ended(await captured('tsan-two-longjmp-checks.stderr.txt'), 66),
      iperfLike,
    );
    if (outcome.kind !== 'sanitizer') throw new Error(`got ${outcome.kind}`);
    const signature = 'tsan:cant find longjmp buf in sigend_handler (signals.c) < stream_worker (stream.c)';
    expect(outcome.signature).toBe(signature);
    expect(outcome.more).toBe(7);
    expect(outcome.findings).toEqual([
      { tool: 'tsan', reportKind: 'cant find longjmp buf', signature, count: 2 },
      {
        tool: 'tsan',
        reportKind: 'signal-unsafe call inside of a signal',
        signature: 'tsan:signal-unsafe call inside of a signal in stream_worker (stream.c)',
        count: 6,
      },
    ]);
  });

  it("ASan's stack-switch warning (a worker's handler jumped onto the main stack) is a sanitizer finding", async () => {
    // server-double-sigterm on unblocked-worker-signals (asan): the process exits 1 with iperf3's message.
    const outcome = classifyProcess(ended(await captured('asan-stack-switch.stderr.txt'), 1), iperfLike);
    expect(outcome).toMatchObject({
      kind: 'sanitizer',
      tool: 'asan',
      reportKind: 'stack switch (ignored __asan_handle_no_return)',
      signature: 'asan:stack switch (ignored __asan_handle_no_return)',
      more: 0,
    });
  });

  it('an ASan report cut short by a nested bug is still a sanitizer outcome', async () => {
    const outcome = classifyProcess(ended(await captured('asan-nested-bug.stderr.txt'), 86), iperfLike);
    if (outcome.kind !== 'sanitizer') throw new Error(`got ${outcome.kind}`);
    expect(outcome.reportKind).toBe('stack-buffer-overflow');
    expect(outcome.signature).toBe('asan:stack-buffer-overflow');
    expect(outcome.findings?.map((f) => f.reportKind)).toEqual([
      'stack-buffer-overflow',
      // The worker's handler jumped onto the main thread's stack first: ASan warned of it.
      'stack switch (ignored __asan_handle_no_return)',
      'nested bug in the same thread',
    ]);
  });

  it('a runtime that died before any report still leaves sanitizer evidence, not a bad exit', () => {
    // Printed by the unblocked-worker-signals ASan subject, whole stderr of that process.
    const stderr = [
      '='.repeat(65),
      '='.repeat(65),
      'AddressSanitizer:DEADLYSIGNAL',
      'AddressSanitizer: nested bug in the same thread, aborting.',
    ].join('\n');
    expect(classifyProcess(ended(stderr, 86), iperfLike)).toMatchObject({
      kind: 'sanitizer',
      signature: 'asan:nested bug in the same thread',
    });
    expect(findSanitizerReports('AddressSanitizer:DEADLYSIGNAL\n')[0]?.signature).toBe('asan:deadly signal');
    expect(findSanitizerReports('ThreadSanitizer: reported 2 warnings\n')).toEqual([]);
  });

  it('a nested signal: the innermost handler is where the process waits', async () => {
    const backtrace = await captured('asan-printf-in-handler-hang.gdb.txt');
    // Five threads; four workers block in read(), the main thread is in two nested handlers.
    expect(backtrace.match(/^Thread \d+ /gm)).toHaveLength(5);
    expect(hangSignature(backtrace)).toBe(
      'hang:__lll_lock_wait_private < log_signal (signals.c) < sigend_handler (signals.c)',
    );
  });
});
