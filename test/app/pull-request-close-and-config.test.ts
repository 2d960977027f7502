import { afterEach, describe, expect, it } from 'vitest';
import { lifecycle, runOperations } from './support/expectations.js';
import {
  Harness,
  maintainer,
  scriptedShortRun,
  scriptedUntilStopped,
  testEnv,
  type Validation,
} from './support/harness.js';
import { pullRequestPayload } from './support/payloads.js';

/** A pull request whose config is invalid, or that is closed mid-run: the storm is not what is tested. */
describe('pull requests: a bad config, a close', () => {
  let h: Harness;
  async function setUp(validation: Validation) {
    h = await Harness.create(testEnv, validation);
    h.standin.expect(...runOperations);
    await h.startApp();
  }
  afterEach(async () => {
    await h.close();
    // Every request the app made was valid against GitHub's OpenAPI description and expected.
    expect(h.standin.problems).toEqual([]);
  });

  it('an invalid .github/sigstorm.yml fails the check with the file, line and reason', async () => {
    await setUp(scriptedShortRun);
    h.repo.config = 'iterations: 8\npolicy:\n  stability:\n    regresion: neutral\n';
    const head = await h.fixture.commitPatch('help-text.patch');
    await h.deliver(
      'pull_request',
      pullRequestPayload('opened', h.where, {
        number: 3,
        headSha: head,
        baseSha: h.fixture.baseSha,
        author: maintainer,
      }),
    );
    const check = await h.standin.waitFor('the check to fail', () =>
      h.checkRuns().find((c) => c.status === 'completed'),
    );
    expect(lifecycle(check)).toBe('queued → completed:failure');
    expect(check.output.title).toBe(
      'Invalid .github/sigstorm.yml:4:5: policy.stability.regresion: unknown field (see docs/github-app.md for the fields)',
    );
    // The loader's value failed validation, so the file was read once more (raw) to find the line.
    expect(h.standin.callsOf('repos/get-content')).toHaveLength(2);
    // Nothing was validated.
    expect(await h.validations()).toEqual([]);
  });

  it('closing the pull request stops its validation', async () => {
    await setUp(scriptedUntilStopped);
    const head = await h.fixture.commitPatch('help-text.patch');
    const pull = { number: 4, headSha: head, baseSha: h.fixture.baseSha, author: maintainer };
    await h.deliver('pull_request', pullRequestPayload('opened', h.where, pull));
    await h.standin.waitFor('the run to be in progress', () =>
      h.checkRuns().find((c) => c.status === 'in_progress'),
    );
    // GitHub's example of a closed, unmerged pull request, adapted.
    await h.deliver('pull_request', pullRequestPayload('closed', h.where, pull));
    const check = await h.standin.waitFor('the run to be cancelled', () =>
      h.checkRuns().find((c) => c.status === 'completed'),
    );
    expect(lifecycle(check)).toBe('queued → in_progress → completed:cancelled');
    expect(check.output.summary).toContain('The pull request was closed before the validation finished.');
  });
});
