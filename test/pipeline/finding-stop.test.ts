import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingEvidenceMin } from '../../src/pipeline/schedule/finding-stop.js';
import { runValidation } from '../../src/pipeline/validate.js';
import { Report } from '../../src/report/report.schema.js';
import { bundledPatchesDir } from '../../src/util/paths.js';
import { testCacheDir } from '../support/subject.js';

// Fail fast on the signal-mask finding (docs/statistics.md): the census settles the verdict, and the
// storms end once a cell has a few iterations per side (findingEvidenceMin, its first batch) and the
// failure its variant is for.
const bugPatch = join(bundledPatchesDir, 'unblocked-worker-signals.patch');

beforeAll(() => {
  process.env.SIGSTORM_CACHE_DIR = testCacheDir;
});

describe('stopping on the signal-mask finding (real builds, real storms)', () => {
  it('pr profile, default set: unblocked-worker-signals is a regression within its first batch of findingEvidenceMin iterations per side', async () => {
    // The default profile and workload set, as `sigstorm validate --head-patches …` runs them.
    const result = await runValidation({
      base: {},
      head: { patches: [bugPatch] },
      throughputRuns: 0,
      baseCache: false,
    });
    const report = Report.parse(result.report);
    expect(report.verdict.stability).toBe('regression');
    expect(report.stability.threads?.changes).toMatchObject([
      { kind: 'handler-threads', direction: 'more', finding: true },
    ]);
    const stormed = report.stability.cells.filter((c) => c.base.iterations + c.head.iterations > 0);
    expect(stormed.length).toBeGreaterThan(0);
    // The first cell of the default set aims SIGTERM at the thread the census names: one batch.
    expect(stormed.map((c) => c.workload)).toEqual(['client-stream-sigterm']);
    expect(report.stability.totals.iterations.base).toBe(findingEvidenceMin);
    expect(report.stability.totals.iterations.head).toBe(findingEvidenceMin);
    // The evidence stays: the stopped cell has its few iterations and head's failure to reproduce.
    const last = stormed[stormed.length - 1];
    expect(Math.min(last?.base.judged ?? 0, last?.head.judged ?? 0)).toBe(findingEvidenceMin);
    expect(last?.head.failures).toBeGreaterThan(0);
    expect(report.stability.signatures.some((s) => s.bucket === 'new' && s.finding && s.repro)).toBe(true);
    expect(report.notRun.map((n) => n.why)).toContain(
      'stopped early: the verdict was already a settled regression (fail fast)',
    );
    // A cold test cache builds base and head in plain and ASan first.
  }, 300_000);

  it('an ASan cell runs on past failures without a sanitizer report until it has one to place', async () => {
    const result = await runValidation({
      base: {},
      head: { patches: [bugPatch] },
      workloads: ['server-burst'],
      variants: ['asan'],
      iterations: 60,
      throughputRuns: 0,
      baseCache: false,
    });
    const report = Report.parse(result.report);
    expect(report.verdict.stability).toBe('regression');
    const cell = report.stability.cells[0];
    expect(cell?.head.outcomes.sanitizer).toBeGreaterThan(0);
    expect(
      report.stability.signatures.some((s) => s.bucket === 'new' && s.kind === 'sanitizer' && s.finding),
    ).toBe(true);
  }, 300_000);
});
