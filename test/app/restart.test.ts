import { afterEach, describe, expect, it } from 'vitest';
import { lifecycle, runOperations, shortRunConclusion } from './support/expectations.js';
import {
  Harness,
  maintainer,
  scriptedShortRun,
  shortMs,
  testEnv,
  untilStoppedMs,
} from './support/harness.js';
import { pullRequestPayload } from './support/payloads.js';

/** A first validation that runs until the app is stopped or killed; the one run after the restart is short. */
const midRun = { ...scriptedShortRun, ms: [untilStoppedMs, shortMs] };

describe('the app restarted during a run', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });

  async function startRun(): Promise<string> {
    h.standin.expect(...runOperations);
    await h.startApp();
    const head = await h.fixture.commitPatch('help-text.patch');
    await h.deliver(
      'pull_request',
      pullRequestPayload('opened', h.where, {
        number: 9,
        headSha: head,
        baseSha: h.fixture.baseSha,
        author: maintainer,
      }),
    );
    await h.standin.waitFor('the run to be in progress', () =>
      h.checkRuns().find((c) => c.status === 'in_progress'),
    );
    // Stopped while it validates (the check goes in progress a moment before).
    await h.waitForValidations(1);
    return head;
  }

  it('killed (SIGKILL) mid-run and started again: the job is retried and finishes; no check stays in progress', async () => {
    h = await Harness.create(testEnv, midRun);
    await startRun();
    const killed = await h.app.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    h.app.killGroup();
    // Nobody told GitHub: the check is still in progress, as it would be after a crash.
    expect(h.checkRuns()[0]?.status).toBe('in_progress');

    await h.startApp();
    const check = await h.standin.waitFor('the retried run to complete', () =>
      h.checkRuns().find((c) => c.status === 'completed'),
    );
    expect(h.checkRuns()).toHaveLength(1);
    expect(lifecycle(check)).toBe(
      `queued → in_progress → queued → in_progress → completed:${shortRunConclusion}`,
    );
    const restarted = check.history.find((s, i) => i > 0 && s.status === 'queued');
    expect(restarted?.title).toBe('Restarted: queued again');
    expect(restarted?.summary).toContain('stopped while this run was in progress (attempt 1 of 3)');
  });

  it('killed in every attempt: given up after SIGSTORM_MAX_ATTEMPTS, the check fails and says why', async () => {
    h = await Harness.create({ ...testEnv, SIGSTORM_MAX_ATTEMPTS: '1' }, midRun);
    await startRun();
    await h.app.kill('SIGKILL');
    h.app.killGroup();
    await h.startApp();
    const check = await h.standin.waitFor('the check to fail', () =>
      h.checkRuns().find((c) => c.status === 'completed'),
    );
    expect(lifecycle(check)).toBe('queued → in_progress → completed:failure');
    expect(check.output.title).toBe('Gave up after 1 attempts');
  });

  it('stopped (SIGTERM) mid-run: the check goes back to queued at once, and the run starts over at the next start', async () => {
    h = await Harness.create(testEnv, midRun);
    await startRun();
    const stopped = await h.app.kill('SIGTERM');
    expect(stopped.exitCode).toBe(0);
    h.app.killGroup();
    expect(h.checkRuns()[0]?.status).toBe('queued');
    const restarted = h.checkRuns()[0]?.history.at(-1);
    expect(restarted?.title).toBe('Restarted: queued again');
    // A deliberate stop does not count as an attempt.
    expect(restarted?.summary).toContain(
      'shut down while this run was in progress (this does not count as an attempt)',
    );
    // Started again, the job runs again from the queue (to the end: see the SIGKILL test).
    await h.startApp();
    const again = await h.standin.waitFor('the run to start over', () =>
      h.checkRuns().find((c) => c.status === 'in_progress'),
    );
    expect(lifecycle(again)).toBe('queued → in_progress → queued → in_progress');
  });
});
