import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lifecycle, normalise, outline, runOperations, shortRunConclusion } from './support/expectations.js';
import { Harness, maintainer, repoName, testEnv, testRepoConfig } from './support/harness.js';
import { pullRequestPayload } from './support/payloads.js';

/**
 * The App end to end with real storms and real time: the pull request's lifecycle (its config, a
 * close, the other refusals: pull-request-close-and-config.test.ts on a scripted validation).
 */
describe('pull requests', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create(testEnv, 'storms');
    // No stop before 8 iterations per side instead of the default 20: each run stops at the batch
    // that passes 8 (12 per side, 22 with the default): the test follows the lifecycle, not the storm.
    h.repo.config = `${testRepoConfig}thresholds:\n  stability:\n    minIterationsPerSide: 8\n`;
  });
  afterEach(async () => {
    await h.close();
    // Every request the app made was valid against GitHub's OpenAPI description and expected.
    expect(h.standin.problems).toEqual([]);
  });

  it('opened → check queued, in progress with progress, completed with the report; one comment; a push supersedes; redelivery changes nothing', async () => {
    h.standin.expect(...runOperations);
    await h.startApp();
    const head1 = await h.fixture.commitPatch('help-text.patch');
    const pull = { number: 7, baseSha: h.fixture.baseSha, author: maintainer };

    // The delivery is stored and answered at once, before any call to GitHub; then processed from
    // the store: the handler records a job and creates the queued check.
    const opened = await h.deliver(
      'pull_request',
      pullRequestPayload('opened', h.where, { ...pull, headSha: head1 }),
    );
    expect(opened.status).toBe(200);
    const first = await h.standin.waitFor('the queued check', () => h.checkRuns()[0]);
    expect(first).toMatchObject({ name: 'sigstorm', headSha: head1 });
    expect(first?.history[0]?.status).toBe('queued');

    const done1 = await h.standin.waitFor('the first run to complete', () =>
      h.checkRuns().find((c) => c.headSha === head1 && c.status === 'completed'),
    );
    expect(lifecycle(done1)).toBe(`queued → in_progress → completed:${shortRunConclusion}`);
    const progress = done1.history.filter((s) => s.status === 'in_progress').map((s) => s.summary ?? '');
    expect(progress.some((s) => /iterations [\d,]+ \/ [\d,]+ · cells finished \d+ \/ \d+/.test(s))).toBe(
      true,
    );
    // One comment: exactly the check's report, then a footer naming the commits.
    const comments1 = h.model.botComments(repoName, 7);
    expect(comments1).toHaveLength(1);
    const [report, footer] = (comments1[0]?.body ?? '').split('\n\n---\n');
    expect(report).toBe(done1.output.summary);
    expect(done1.output.title).toBe(report?.split('\n')[1]?.replace(/^#+ /, ''));
    expect(outline(report ?? '')).toMatchSnapshot();
    expect(normalise(footer ?? '', { head: head1, base: h.fixture.baseSha })).toMatchInlineSnapshot(
      `"<sub>sigstorm · head \`<head>\` · base \`<base>\` · opened by @maya-maintainer · updated <time></sub>"`,
    );

    // Two pushes: the second arrives while the first one's run is in progress and supersedes it.
    const head2 = await h.fixture.commitEmpty(head1, 'second push');
    const head3 = await h.fixture.commitEmpty(head2, 'third push');
    await h.deliver('pull_request', pullRequestPayload('synchronize', h.where, { ...pull, headSha: head2 }));
    await h.standin.waitFor('the second run to be in progress', () =>
      h.checkRuns().find((c) => c.headSha === head2 && c.status === 'in_progress'),
    );
    const sync3 = await h.deliver(
      'pull_request',
      pullRequestPayload('synchronize', h.where, { ...pull, headSha: head3 }),
    );
    const cancelled = await h.standin.waitFor('the second run to be cancelled', () =>
      h.checkRuns().find((c) => c.headSha === head2 && c.status === 'completed'),
    );
    expect(lifecycle(cancelled)).toBe('queued → in_progress → completed:cancelled');
    expect(cancelled.output.summary).toContain(`Superseded by commit \`${head3.slice(0, 7)}\``);
    const done3 = await h.standin.waitFor('the third run to complete', () =>
      h.checkRuns().find((c) => c.headSha === head3 && c.status === 'completed'),
    );
    expect(lifecycle(done3)).toBe(`queued → in_progress → completed:${shortRunConclusion}`);

    // Still one comment, the same one, now about the last commit.
    const comments3 = h.model.botComments(repoName, 7);
    expect(comments3.map((c) => c.id)).toEqual([comments1[0]?.id]);
    expect(comments3[0]?.body).toContain(head3.slice(0, 7));
    expect(h.standin.callsOf('issues/create-comment')).toHaveLength(1);

    // GitHub redelivers the same delivery (same id), or sends the same event again: no second run.
    const checksBefore = h.checkRuns().length;
    const redelivered = await h.deliver(
      'pull_request',
      pullRequestPayload('synchronize', h.where, { ...pull, headSha: head3 }),
      sync3.id,
    );
    expect(redelivered.status).toBe(200);
    await h.deliver('pull_request', pullRequestPayload('synchronize', h.where, { ...pull, headSha: head3 }));
    await h.settle();
    expect(h.checkRuns()).toHaveLength(checksBefore);
    expect(h.checkRuns().filter((c) => c.status !== 'completed')).toEqual([]);
  });
});
