import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CheckRunState } from '../support/github-standin/model.js';
import { lifecycle, releaseOperations, runOperations, scriptedConclusion } from './support/expectations.js';
import {
  Harness,
  maintainer,
  repoName,
  scriptedQuietMs,
  scriptedShortRun,
  shortMs,
  testEnv,
  untilStoppedMs,
} from './support/harness.js';
import { pullRequestPayload, releasePublishedPayload } from './support/payloads.js';

/**
 * The app under GitHub's faults (5xx, 429 with Retry-After, connection resets, all injected by the
 * stand-in after it validated each request) and under kills. The storm is not what these test: the
 * App validates by script (an inconclusive report after 1.5 s, unless a test says otherwise) with
 * short retry waits, so each check has one exact conclusion. The figures of every test are summed
 * and printed at the end: deliveries sent, jobs lost, checks left non-terminal, validations run twice.
 */

/** The conclusion of every check whose test does not script another outcome. */
const conclusion = scriptedConclusion(scriptedShortRun.outcome);

const figures = { deliveries: 0, jobsLost: 0, checksNonTerminal: 0, validationsTwice: 0 };

/** How many times a check went from not started to "Starting": each is one validation run. */
function validations(check: CheckRunState): number {
  return check.history.filter((step) => step.title === 'Starting').length;
}

describe('the app under faults', () => {
  let h: Harness;
  afterEach(async () => {
    // What a lost or stuck delivery would leave: pull requests without a terminal check.
    const checks = [...h.checkRuns(), ...h.checkRuns('sigstorm release')];
    figures.checksNonTerminal += checks.filter((c) => c.status !== 'completed').length;
    figures.validationsTwice += checks.filter((c) => validations(c) > 1).length;
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });
  afterAll(() => {
    console.info(
      `app faults: deliveries sent ${figures.deliveries}, jobs lost ${figures.jobsLost}, ` +
        `checks left non-terminal ${figures.checksNonTerminal}, validations run twice ${figures.validationsTwice}`,
    );
  });

  async function open(number: number, headSha: string, extra: { updatedAt?: string } = {}) {
    figures.deliveries++;
    return h.deliver(
      'pull_request',
      pullRequestPayload('opened', h.where, {
        number,
        headSha,
        baseSha: h.fixture.baseSha,
        author: maintainer,
        ...extra,
      }),
    );
  }

  /**
   * Each pull request has exactly one check, completed with `expected`, run once (one validation),
   * and one comment; counts the lost.
   */
  async function expectOneRunEach(
    numbers: readonly number[],
    heads: readonly string[],
    expected = conclusion,
  ) {
    for (const [i, number] of numbers.entries()) {
      const checks = h.checkRuns().filter((c) => c.headSha === heads[i]);
      if (checks.length === 0) figures.jobsLost++;
      expect(checks).toHaveLength(1);
      const [check] = checks;
      expect(check && lifecycle(check)).toBe(`queued → in_progress → completed:${expected}`);
      expect(check && validations(check)).toBe(1);
      expect(h.model.botComments(repoName, number)).toHaveLength(1);
    }
    const validated = (await h.validations()).map((v) => v.head);
    expect(validated.toSorted()).toEqual([...heads].sort());
  }

  it('GitHub answers 502 to every third request for a while: every pull request gets exactly one completed check and one comment', async () => {
    h = await Harness.create(testEnv);
    h.standin.expect(...runOperations);
    await h.startApp();
    const heads = [await h.fixture.commitPatch('help-text.patch')];
    heads.push(await h.fixture.commitEmpty(heads[0] ?? '', 'second pull request'));
    const storm = h.standin.inject({ fault: { kind: 'status', status: 502 }, every: 3 });
    await open(21, heads[0] ?? '');
    await open(22, heads[1] ?? '');
    await h.standin.waitFor(
      'both runs to complete',
      () => h.checkRuns().filter((c) => c.status === 'completed').length === 2,
      240_000,
    );
    storm.remove();
    await h.settle(scriptedQuietMs);
    expect(storm.fired).toBeGreaterThan(0);
    await expectOneRunEach([21, 22], heads);
  });

  it('429 with Retry-After on the first call of every operation, and a check-run create whose answer is lost: one check each, nothing lost', async () => {
    // A regression this time: the failing check and its comment go through the same faults.
    h = await Harness.create(testEnv, { ...scriptedShortRun, outcome: 'regression' });
    h.standin.expect(...runOperations);
    await h.startApp();
    const head = await h.fixture.commitPatch('help-text.patch');
    const limited = [
      'repos/get-collaborator-permission-level',
      'checks/list-for-ref',
      'repos/get-content',
      'checks/update',
      'issues/list-comments',
      'issues/create-comment',
    ].map((operationId) =>
      h.standin.inject({ fault: { kind: 'rate-limit', retryAfterSeconds: 1 }, operationId, times: 1 }),
    );
    // The create takes effect on GitHub, the app never hears back: found again through external_id.
    const lost = h.standin.inject({
      fault: { kind: 'reset', when: 'after' },
      operationId: 'checks/create',
      times: 1,
    });
    await open(23, head);
    await h.standin.waitFor(
      'the run to complete',
      () => h.checkRuns().find((c) => c.status === 'completed'),
      240_000,
    );
    await h.settle(scriptedQuietMs);
    expect(lost.fired).toBe(1);
    expect(limited.map((rule) => rule.fired)).toEqual(limited.map(() => 1));
    await expectOneRunEach([23], [head], scriptedConclusion('regression'));
  });

  it('GitHub answers 503 four times in a row to every operation of a run (more than Octokit retries): one check, one comment, one validation', async () => {
    // Every failed call costs the job an attempt: enough attempts to outlast the outage.
    h = await Harness.create({ ...testEnv, SIGSTORM_MAX_ATTEMPTS: '10' });
    h.standin.expect(...runOperations);
    await h.startApp();
    const head = await h.fixture.commitPatch('help-text.patch');
    const rules = [
      'apps/create-installation-access-token',
      'repos/get-collaborator-permission-level',
      'checks/list-for-ref',
      'checks/create',
      'repos/get-content',
      'checks/update',
      'issues/list-comments',
      'issues/create-comment',
    ].map((operationId) =>
      h.standin.inject({ fault: { kind: 'status', status: 503 }, operationId, times: 4 }),
    );
    // Processing takes minutes under this outage: the test waits for the check, not the delivery.
    figures.deliveries++;
    await h.deliverOnly(
      'pull_request',
      pullRequestPayload('opened', h.where, {
        number: 28,
        headSha: head,
        baseSha: h.fixture.baseSha,
        author: maintainer,
      }),
    );
    await h.standin.waitFor(
      'the run to complete',
      () => h.checkRuns().find((c) => c.status === 'completed'),
      400_000,
    );
    await h.settle(scriptedQuietMs);
    expect(rules.map((rule) => rule.fired)).toEqual(rules.map(() => 4));
    await expectOneRunEach([28], [head]);
  }, 600_000);

  it('a release published while GitHub fails the release lookups and the first check calls: one gate check, completed, run once', async () => {
    h = await Harness.create({ ...testEnv, SIGSTORM_MAX_ATTEMPTS: '10' });
    h.standin.expect(...releaseOperations);
    await h.startApp();
    const v10 = h.fixture.baseSha;
    const v11 = await h.fixture.commitPatch('help-text.patch');
    h.repo.refs.set('tags/v1.0', v10);
    h.repo.refs.set('tags/v1.1', v11);
    h.repo.releases.push(
      { tag: 'v1.0', publishedAt: '2024-02-01T00:00:00Z', prerelease: false, draft: false },
      { tag: 'v1.1', publishedAt: '2024-03-01T00:00:00Z', prerelease: false, draft: false },
    );
    // Each call the release handler and its job make fails first: 502 twice, a reset once.
    const rules = [
      ...['repos/get-commit', 'repos/list-releases', 'checks/create'].map((operationId) =>
        h.standin.inject({ fault: { kind: 'status', status: 502 }, operationId, times: 2 }),
      ),
      h.standin.inject({ fault: { kind: 'reset', when: 'before' }, operationId: 'checks/update', times: 1 }),
    ];
    figures.deliveries++;
    await h.deliverOnly('release', releasePublishedPayload(h.where, 'v1.1', maintainer));
    const gate = await h.standin.waitFor(
      'the release gate to complete',
      () => h.checkRuns('sigstorm release').find((c) => c.status === 'completed'),
      300_000,
    );
    await h.settle(scriptedQuietMs);
    expect(rules.map((rule) => rule.fired)).toEqual([2, 2, 2, 1]);
    const gates = h.checkRuns('sigstorm release');
    if (gates.length === 0) figures.jobsLost++;
    expect(gates).toHaveLength(1);
    expect(gate.headSha).toBe(v11);
    expect(lifecycle(gate)).toBe(`queued → in_progress → completed:${conclusion}`);
    expect(validations(gate)).toBe(1);
    expect(await h.validations()).toEqual([{ head: v11, outcome: 'inconclusive' }]);
  }, 400_000);

  it('killed (SIGKILL) between receipt and processing: the stored delivery is processed at the next start', async () => {
    h = await Harness.create(testEnv);
    h.standin.expect(...runOperations);
    await h.startApp();
    const head = await h.fixture.commitPatch('help-text.patch');
    // GitHub is down: the delivery is stored and answered, its processing cannot get anywhere.
    const down = h.standin.inject({ fault: { kind: 'status', status: 503 } });
    figures.deliveries++;
    const delivery = await h.deliverOnly(
      'pull_request',
      pullRequestPayload('opened', h.where, {
        number: 24,
        headSha: head,
        baseSha: h.fixture.baseSha,
        author: maintainer,
      }),
    );
    expect(delivery.status).toBe(200);
    await h.standin.waitFor('a first processing attempt', () => h.standin.faulted.length > 0);
    await h.app.kill('SIGKILL');
    h.app.killGroup();
    expect(h.checkRuns()).toEqual([]);
    expect(h.deliveryState(delivery.id)?.status).toBe('pending');
    down.remove();
    await h.startApp();
    await h.standin.waitFor(
      'the run to complete after the restart',
      () => h.checkRuns().find((c) => c.status === 'completed'),
      240_000,
    );
    expect(h.deliveryState(delivery.id)?.status).toBe('done');
    await expectOneRunEach([24], [head]);
  });

  it('killed (SIGKILL) between validation and publish: the kept result is published after the restart, the storms are not run again', async () => {
    // Enough attempts to outlast the outage: each failed publish counts as one.
    h = await Harness.create({ ...testEnv, SIGSTORM_MAX_ATTEMPTS: '10' });
    h.standin.expect(...runOperations);
    await h.startApp();
    const head = await h.fixture.commitPatch('help-text.patch');
    // Publishing starts by looking for the report comment: GitHub refuses it until healed.
    const down = h.standin.inject({
      fault: { kind: 'status', status: 503 },
      operationId: 'issues/list-comments',
    });
    await open(27, head);
    const validated = () =>
      h.query<{ status: string }>('SELECT status FROM jobs WHERE pull_number = 27')[0]?.status ===
      'validated';
    await h.standin.waitFor('the validation to finish and its publish to fail', validated, 240_000);
    await h.app.kill('SIGKILL');
    h.app.killGroup();
    down.remove();
    await h.startApp();
    await h.standin.waitFor(
      'the kept result to be published',
      () => h.checkRuns().find((c) => c.status === 'completed'),
      240_000,
    );
    await expectOneRunEach([27], [head]);
  });

  it('reopened at the same head, or pushed back to an earlier commit: a new run each time; the same event twice: none', async () => {
    // The third validation (B's) lasts until the push back to A supersedes it; the others are short.
    h = await Harness.create(testEnv, {
      ...scriptedShortRun,
      ms: [shortMs, shortMs, untilStoppedMs, shortMs],
    });
    h.standin.expect(...runOperations);
    await h.startApp();
    const headA = await h.fixture.commitPatch('help-text.patch');
    const pull = { number: 25, headSha: headA, baseSha: h.fixture.baseSha, author: maintainer };
    const done = (n: number) => () => h.checkRuns().filter((c) => c.status === 'completed').length >= n;
    await open(25, headA, { updatedAt: '2026-01-01T10:00:00Z' });
    await h.standin.waitFor('the first run', done(1), 240_000);
    figures.deliveries += 2;
    await h.deliver(
      'pull_request',
      pullRequestPayload('closed', h.where, { ...pull, updatedAt: '2026-01-01T10:05:00Z' }),
    );
    const reopened = pullRequestPayload('reopened', h.where, { ...pull, updatedAt: '2026-01-01T10:06:00Z' });
    await h.deliver('pull_request', reopened);
    await h.standin.waitFor('the run after the reopen', done(2), 240_000);
    // GitHub sending the very same event again (another delivery id) is not a new request.
    figures.deliveries++;
    await h.deliver('pull_request', reopened);
    await h.settle(scriptedQuietMs);
    expect(h.checkRuns()).toHaveLength(2);
    // Force-pushed to B, then back to A: A runs again.
    const headB = await h.fixture.commitEmpty(headA, 'pushed and then undone');
    figures.deliveries += 2;
    await h.deliver(
      'pull_request',
      pullRequestPayload('synchronize', h.where, {
        ...pull,
        headSha: headB,
        updatedAt: '2026-01-01T10:10:00Z',
      }),
    );
    await h.waitForValidations(3);
    await h.deliver(
      'pull_request',
      pullRequestPayload('synchronize', h.where, { ...pull, updatedAt: '2026-01-01T10:11:00Z' }),
    );
    await h.standin.waitFor(
      'the run of A again',
      () => h.checkRuns().filter((c) => c.headSha === headA && c.status === 'completed').length === 3,
      240_000,
    );
    const checksA = h.checkRuns().filter((c) => c.headSha === headA);
    expect(checksA.map(lifecycle)).toEqual([
      `queued → in_progress → completed:${conclusion}`,
      `queued → in_progress → completed:${conclusion}`,
      `queued → in_progress → completed:${conclusion}`,
    ]);
    const checkB = h.checkRuns().find((c) => c.headSha === headB);
    expect(checkB && lifecycle(checkB)).toBe('queued → in_progress → completed:cancelled');
    expect(checkB?.output.summary).toContain(`Superseded by commit \`${headA.slice(0, 7)}\``);
  });

  it('a late delivery for an older head does not supersede the newer head', async () => {
    h = await Harness.create(testEnv);
    h.standin.expect(...runOperations);
    await h.startApp();
    const old = await h.fixture.commitPatch('help-text.patch');
    const latest = await h.fixture.commitEmpty(old, 'newer push');
    const pull = { number: 26, baseSha: h.fixture.baseSha, author: maintainer };
    figures.deliveries += 2;
    // The newer push's delivery arrives first; the older one's (retried by GitHub) after it.
    await h.deliver(
      'pull_request',
      pullRequestPayload('synchronize', h.where, {
        ...pull,
        headSha: latest,
        updatedAt: '2026-01-01T11:00:02Z',
      }),
    );
    await h.deliver(
      'pull_request',
      pullRequestPayload('synchronize', h.where, {
        ...pull,
        headSha: old,
        updatedAt: '2026-01-01T11:00:01Z',
      }),
    );
    const stale = await h.standin.waitFor('the older head to be marked superseded', () =>
      h.checkRuns().find((c) => c.headSha === old && c.status === 'completed'),
    );
    expect(lifecycle(stale)).toBe('completed:cancelled');
    expect(stale.output.summary).toContain(`Superseded by commit \`${latest.slice(0, 7)}\``);
    const ran = await h.standin.waitFor(
      'the newer head to complete',
      () => h.checkRuns().find((c) => c.headSha === latest && c.status === 'completed'),
      240_000,
    );
    expect(lifecycle(ran)).toBe(`queued → in_progress → completed:${conclusion}`);
  });
});
