import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ValidateRequest } from '../../src/pipeline/request/contract.js';
import { runValidation } from '../../src/pipeline/validate.js';
import { Report } from '../../src/report/report.schema.js';
import { bundledPatchesDir } from '../../src/util/paths.js';
import { testCacheDir } from '../support/subject.js';

// The thread census decides the mask finding from the first iteration of each side; the trace
// splits each cell's outcomes by the thread that took the signals.
const patch = (name: string) => join(bundledPatchesDir, name);
/**
 * Two iterations per side (the cap; the minimum lowered from 20 so that the cap can stop the cell):
 * the census needs no more, and two clean iterations show no failure-rate bound, so a verdict comes
 * from the census or not at all.
 */
const censusOnly = { iterations: 2, thresholds: { stability: { minIterationsPerSide: 2 } } } as const;

function validate(request: ValidateRequest) {
  return runValidation({ throughputRuns: 0, baseCache: false, variants: ['plain'], ...request });
}

beforeAll(() => {
  process.env.SIGSTORM_CACHE_DIR = testCacheDir;
});

describe('validate with thread-level evidence', () => {
  it('unblocked-worker-signals: names the mask change and shows outcomes by receiving thread', async () => {
    const result = await validate({
      base: {},
      head: { patches: [patch('unblocked-worker-signals.patch')] },
      workloads: ['client-stream-sigterm'],
      budgetSeconds: 240,
    });
    const report = Report.parse(result.report);
    expect(report.verdict.stability).toBe('regression');
    const threads = report.stability.threads;
    expect(threads?.tracing).toBeNull();
    expect(threads?.changes).toMatchObject([
      { kind: 'handler-threads', direction: 'more', process: 'client', finding: true, base: ['main'] },
    ]);
    expect(threads?.tables[0]?.head.every((r) => r.takes.SIGTERM === 'handler')).toBe(true);
    expect(report.summary.stability).toMatch(
      // The threads named by their start routine (one stack snapshot in the cell's first iteration).
      /^head lets main and (\d+) other threads \(stream_worker ×\1\) run the SIGTERM\/SIGINT\/SIGHUP handler/,
    );
    const cell = report.stability.cells[0];
    expect(cell?.head.judged).toBeLessThanOrEqual(20);
    // Every head iteration's aimed SIGTERM was taken by a stream thread, and every one failed.
    expect(cell?.byReceivingThread?.head.other.iterations).toBe(cell?.head.judged);
    expect(cell?.byReceivingThread?.head.other.failures).toBe(cell?.head.failures);
    expect(result.markdown).toContain('#### Threads and signal masks');
    expect(result.markdown).toMatch(
      /head failed in \d+ of \d+ iterations where a signal landed on a thread other than main, 0 of 0 otherwise/,
    );
  });

  it('sigwait-thread (base: unpatched): fewer threads run a handler, an improvement', async () => {
    const result = await validate({
      base: {},
      head: { patches: [patch('unblocked-worker-signals.patch'), patch('sigwait-thread.patch')] },
      workloads: ['server-stream-sigterm'],
      ...censusOnly,
    });
    const report = Report.parse(result.report);
    expect(report.stability.threads?.changes).toMatchObject([
      { kind: 'handler-threads', direction: 'fewer', process: 'server', head: [], finding: false },
    ]);
    expect(report.verdict.stability).toBe('improvement');
  });

  it('signal-mask left out of findings.kinds: the change is shown, the verdict comes from the rates', async () => {
    const result = await validate({
      base: {},
      head: { patches: [patch('unblocked-worker-signals.patch')] },
      workloads: ['server-sigterm'],
      iterations: censusOnly.iterations,
      thresholds: { ...censusOnly.thresholds, findings: { kinds: ['crash', 'sanitizer'] } },
    });
    const report = Report.parse(result.report);
    expect(report.stability.threads?.changes).toMatchObject([{ direction: 'more', finding: false }]);
    // With the finding the census alone would make it a regression (first test); without it the
    // rates decide, and two iterations per side settle nothing.
    expect(report.verdict.stability).toBe('inconclusive');
  });

  it('sigpipe-not-ignored: a risk in plain words, not a verdict by itself', async () => {
    const result = await validate({
      base: {},
      head: { patches: [patch('sigpipe-not-ignored.patch')] },
      workloads: ['server-sigterm'],
      ...censusOnly,
    });
    const report = Report.parse(result.report);
    expect(report.stability.threads?.changes).toMatchObject([
      { kind: 'disposition', signal: 'SIGPIPE', base: 'ignored', head: 'default', weight: 'risk' },
    ]);
    // The risk alone makes no regression; the rates of two iterations per side settle nothing.
    expect(report.verdict.stability).toBe('inconclusive');
    expect(result.markdown).toMatch(/⚠️ risk \(server\): head no longer ignores SIGPIPE/);
  });
});
