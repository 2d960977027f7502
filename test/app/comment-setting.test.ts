import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RepoConfig } from '../../src/config/repo-config.schema.js';
import { conclusionFor } from '../../src/pipeline/output/conclusion.js';
import { lifecycle, runOperations, shortRunConclusion } from './support/expectations.js';
import { Harness, repoName, testEnv, testRepoConfig } from './support/harness.js';

/** `comment` in .github/sigstorm.yml: when the pull request's comment is written; the check always has the report. */
describe('the comment setting', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create(testEnv, 'storms');
  });
  afterEach(async () => {
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });

  async function runOnce(number: number) {
    h.standin.expect(...runOperations);
    await h.startApp();
    const head = await h.fixture.commitPatch('help-text.patch');
    return h.runPull(number, head);
  }

  it('never: no comment at all, the check run carries the report', async () => {
    h.repo.config = `${testRepoConfig}comment: never\n`;
    const done = await runOnce(11);
    expect(lifecycle(done)).toBe(`queued → in_progress → completed:${shortRunConclusion}`);
    expect(done.output.summary).toContain('<!-- sigstorm-report -->');
    expect(done.output.summary).toContain('#### Stability');
    expect(h.model.botComments(repoName, 11)).toEqual([]);
    expect(h.standin.callsOf('issues/create-comment')).toHaveLength(0);
    expect(h.standin.callsOf('issues/update-comment')).toHaveLength(0);
  });

  it('not-neutral: a neutral verdict writes no comment; the check run still has the report', async () => {
    // A tolerance of 20% is proven by 14 clean iterations per side: the short run ends neutral.
    h.repo.config = `${testRepoConfig}comment: not-neutral\nthresholds:\n  stability:\n    tolerance: { plain: 0.2 }\n`;
    const done = await runOnce(12);
    // Throughput was not measured (inconclusive), which the default policy concludes as neutral.
    expect(done.conclusion).toBe(
      conclusionFor({ stability: 'neutral', throughput: 'inconclusive' }, RepoConfig.parse({}).policy),
    );
    expect(done.output.title).toMatch(/^✅ No regression: stability neutral/);
    expect(done.output.summary).toContain('#### Stability: ✅ neutral');
    expect(h.model.botComments(repoName, 12)).toEqual([]);
    expect(h.standin.callsOf('issues/create-comment')).toHaveLength(0);
  });
});
