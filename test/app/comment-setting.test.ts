import { afterEach, describe, expect, it } from 'vitest';
import { lifecycle, runOperations, scriptedConclusion } from './support/expectations.js';
import { Harness, repoName, scriptedShortRun, testEnv, testRepoConfig } from './support/harness.js';
import type { ScriptedOutcome } from './support/scripted-validate.js';

/**
 * `comment` in .github/sigstorm.yml: when the pull request's comment is written; the check always has
 * the report. What the App publishes is tested, not the storm: the validation is scripted, so each
 * run has one known verdict.
 */
describe('the comment setting', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });

  async function runOnce(comment: string, outcome: ScriptedOutcome, number: number) {
    h = await Harness.create(testEnv, { ...scriptedShortRun, outcome });
    h.repo.config = `${testRepoConfig}comment: ${comment}\n`;
    h.standin.expect(...runOperations);
    await h.startApp();
    const head = await h.fixture.commitPatch('help-text.patch');
    const done = await h.runPull(number, head);
    expect(lifecycle(done)).toBe(`queued → in_progress → completed:${scriptedConclusion(outcome)}`);
    // The check run carries the report whatever the setting.
    expect(done.output.summary).toContain('<!-- sigstorm-report -->');
    expect(done.output.summary).toContain('#### Stability');
    return done;
  }

  it('never: no comment at all, the check run carries the report', async () => {
    await runOnce('never', 'regression', 11);
    expect(h.model.botComments(repoName, 11)).toEqual([]);
    expect(h.standin.callsOf('issues/create-comment')).toHaveLength(0);
    expect(h.standin.callsOf('issues/update-comment')).toHaveLength(0);
  });

  it('not-neutral: a neutral verdict writes no comment; the check run still has the report', async () => {
    await runOnce('not-neutral', 'neutral', 12);
    expect(h.model.botComments(repoName, 12)).toEqual([]);
    expect(h.standin.callsOf('issues/create-comment')).toHaveLength(0);
  });

  it('not-neutral: a regression writes the comment, with the report', async () => {
    await runOnce('not-neutral', 'regression', 13);
    const comments = h.model.botComments(repoName, 13);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body.startsWith('<!-- sigstorm-report -->')).toBe(true);
  });
});
