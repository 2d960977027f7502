import { describe, expect, it } from 'vitest';
import type { ValidateProgress } from '../../src/pipeline/request/contract.js';
import { progressReporter } from '../../src/publish/executor/progress-reporter.js';
import { truncate } from '../../src/publish/github/check-run.js';
import { progressOutput } from '../../src/publish/messages/check-outputs.js';
import type { Job } from '../../src/publish/store/job.js';

function progress(phase: ValidateProgress['phase'], done: number): ValidateProgress {
  return {
    phase,
    message: `${phase} ${done}`,
    iterationsDone: done,
    iterationsTotal: 100,
    cellsDone: 0,
    cellsTotal: 2,
  };
}

describe('check-run progress updates', () => {
  it('sends phase changes at once and otherwise at most one update per interval, never overlapping', async () => {
    let clock = 0;
    const sent: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const reporter = progressReporter(
      async (p) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        sent.push(p.message);
        inFlight--;
      },
      { intervalMs: 5000, onError: (error) => sent.push(`error ${String(error)}`), now: () => clock },
    );
    reporter.push(progress('build', 0));
    for (let i = 1; i <= 50; i++) {
      clock += 200; // 10 s of pushes, 5 per second
      reporter.push(progress('storm', i));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await reporter.close();
    reporter.push(progress('report', 100));
    expect(maxInFlight).toBe(1);
    expect(sent[0]).toBe('build 0');
    expect(sent[1]).toMatch(/^storm \d$/);
    expect(sent.length).toBeLessThanOrEqual(5);
    expect(sent).not.toContain('report 100');
  });

  it('reports a failed update and keeps going', async () => {
    const errors: unknown[] = [];
    const reporter = progressReporter(() => Promise.reject(new Error('GitHub is down')), {
      intervalMs: 0,
      onError: (error) => errors.push(error),
    });
    reporter.push(progress('build', 0));
    await reporter.close();
    expect(String(errors[0])).toContain('GitHub is down');
  });
});

describe('check-run output limit', () => {
  it('leaves short Markdown alone and cuts long Markdown under 65,535 characters, closing what it cut open', () => {
    expect(truncate('short')).toBe('short');
    const long = `# Report\n<details>\n\n\`\`\`\n${'x'.repeat(70_000)}\n\`\`\`\n</details>\n`;
    const cut = truncate(long);
    expect(cut.length).toBeLessThanOrEqual(65_535);
    const ending = `\n\`\`\`\n</details>\n\n… (truncated: the full report has ${long.length} characters, GitHub shows 65535)`;
    // Compared as booleans: a failure must not print 65,000 characters.
    expect(cut.endsWith(ending)).toBe(true);
    expect(cut.startsWith('# Report\n<details>')).toBe(true);
  });

  it('shows the expected finish in the check run title and summary once the pipeline has one', () => {
    const job = {
      baseSha: 'a'.repeat(40),
      headSha: 'b'.repeat(40),
      baseLabel: 'main',
      headLabel: 'fix',
      options: { profile: 'pr' },
      requestedBy: 'octo',
      trigger: 'pull_request',
    } as unknown as Job;
    const early = progressOutput(job, progress('storm', 10));
    expect(early.title).toBe('Running: storm, 10% of iterations');
    const later = progressOutput(job, { ...progress('storm', 10), expectedLeftMs: 540_000 });
    expect(later.title).toBe('Running: storm, about 9 min left');
    expect(later.summary).toContain('iterations 10 / 100 · cells finished 0 / 2 · about 9 min left');
  });
});
