import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lifecycle, releaseOperations, shortRunConclusion } from './support/expectations.js';
import { Harness, maintainer, scriptedQuietMs, testEnv } from './support/harness.js';
import { releasePublishedPayload, tagPushPayload } from './support/payloads.js';

describe('release gating', () => {
  let h: Harness;
  let v10: string;
  let v11: string;
  beforeEach(async () => {
    h = await Harness.create(testEnv);
    v10 = h.fixture.baseSha;
    v11 = await h.fixture.commitPatch('help-text.patch');
    h.repo.refs.set('tags/v1.0', v10);
    h.repo.refs.set('tags/v1.1', v11);
    h.repo.releases.push(
      { tag: 'v0.9-rc1', publishedAt: '2024-01-01T00:00:00Z', prerelease: true, draft: false },
      { tag: 'v1.0', publishedAt: '2024-02-01T00:00:00Z', prerelease: false, draft: false },
      { tag: 'v2.0-draft', publishedAt: '2024-03-05T00:00:00Z', prerelease: false, draft: true },
      { tag: 'v1.1', publishedAt: '2024-03-01T00:00:00Z', prerelease: false, draft: false },
    );
    h.standin.expect(...releaseOperations);
    await h.startApp();
  });
  afterEach(async () => {
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });

  it('release published → the release profile compares the tag with the previous release; a gate check on the tag commit', async () => {
    const delivery = await h.deliver('release', releasePublishedPayload(h.where, 'v1.1', maintainer));
    expect(delivery.status).toBe(200);
    const gate = await h.standin.waitFor('the release gate to complete', () =>
      h.checkRuns('sigstorm release').find((c) => c.status === 'completed'),
    );
    expect(gate.headSha).toBe(v11);
    expect(lifecycle(gate)).toBe(`queued → in_progress → completed:${shortRunConclusion}`);
    // v1.0 is the release before v1.1 (the draft and the pre-release are not).
    expect(gate.history[0]?.summary).toContain(
      `Head \`${v11.slice(0, 7)}\` (v1.1) against base \`${v10.slice(0, 7)}\` (v1.0), release profile.`,
    );
    expect(h.standin.callsOf('repos/get-commit').map((c) => c.params.ref)).toEqual([
      'tags/v1.1',
      'tags/v1.0',
    ]);

    // The tag's push arrives too: the same tag and commit are not gated twice; other tags not at all.
    await h.deliver('push', tagPushPayload(h.where, 'v1.1', v11, maintainer));
    await h.deliver('push', tagPushPayload(h.where, 'nightly-2024', v11, maintainer));
    await h.settle(scriptedQuietMs);
    expect(h.checkRuns('sigstorm release')).toHaveLength(1);
    expect(h.checkRuns('sigstorm')).toEqual([]);
  });

  it('a pushed tag matching release.tags is gated without a release; the first release is neutral', async () => {
    h.repo.releases.length = 0;
    h.repo.refs.set('tags/3.19', v11);
    await h.deliver('push', tagPushPayload(h.where, '3.19', v11, maintainer));
    const gate = await h.standin.waitFor('the gate check', () =>
      h.checkRuns('sigstorm release').find((c) => c.status === 'completed'),
    );
    expect(lifecycle(gate)).toBe('completed:neutral');
    expect(gate.output.title).toBe('No previous release to compare with');
  });
});
