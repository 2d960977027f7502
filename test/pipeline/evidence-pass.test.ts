import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runValidation } from '../../src/pipeline/validate.js';
import { Report } from '../../src/report/report.schema.js';
import { toSarif } from '../../src/report/sarif.js';
import { bundledPatchesDir, installRoot } from '../../src/util/paths.js';
import { subjectBuild, testCacheDir } from '../support/subject.js';

// The canonical bug on the plain build ends in SIGSEGV or a stack smash and no stack; the evidence
// pass reruns a failing iteration on head's ASan build and places the cause at its top frame.
const patch = 'unblocked-worker-signals.patch';

beforeAll(async () => {
  process.env.SIGSTORM_CACHE_DIR = testCacheDir;
  // The builds (cached for the suite) under the hook's timeout, not the test's.
  await Promise.all([subjectBuild('plain'), subjectBuild('plain', [patch]), subjectBuild('asan', [patch])]);
});

describe('the evidence pass', () => {
  it('places a plain crash of unblocked-worker-signals at a line of the subject, and SARIF has it', async () => {
    const result = await runValidation({
      base: {},
      head: { patches: [join(bundledPatchesDir, patch)] },
      workloads: ['client-stream-sigterm'],
      variants: ['plain'],
      throughputRuns: 0,
      baseCache: false,
      iterations: 6,
    });
    const report = Report.parse(result.report);
    expect(report.verdict.stability).toBe('regression');
    const cause = report.stability.causes.find((c) => c.finding);
    expect(cause).toMatchObject({ variant: 'plain', kind: 'crash' });
    // The plain crash itself has no frame: the place comes from the rerun.
    expect(cause?.rerun?.variant).toBe('asan');
    expect(cause?.rerun?.hits).toBe(1);
    expect(cause?.rerun?.attempts).toBeLessThanOrEqual(6);
    const location = cause?.location;
    expect(location?.path).toMatch(/^src\/\w+\.c$/);
    expect(existsSync(join(installRoot, 'test', 'subject', location?.path ?? 'none'))).toBe(true);
    expect(location?.line).toBeGreaterThan(0);
    expect(result.markdown).toContain(`At \`${location?.path}:${location?.line}\``);
    const sarif = toSarif(report) as { runs: { results: { locations: unknown[] }[] }[] };
    expect(sarif.runs[0]?.results.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(sarif.runs[0]?.results[0]?.locations)).toContain(location?.path);
  });
});
