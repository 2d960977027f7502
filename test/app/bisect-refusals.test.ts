/**
 * `/sigstorm bisect` refused (one commit, too many), and the button not offered, in the App as
 * operators run it, on a scripted validation and a scripted bisection (as test/app/bisect.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { commandLines } from '../../src/publish/commands/command-lines.js';
import { bisectChecks, bisectOperations, comment, openPull, replies } from './support/bisect-pull.js';
import { Harness, scriptedShortRun, shortMs, testEnv } from './support/harness.js';

const regression = { ...scriptedShortRun, outcome: 'regression' } as const;

describe('bisecting a pull request in the App: refusals', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });

  it('one commit, or 33: no Bisect button, and a reply that says why; nothing is queued', async () => {
    h = await Harness.create(testEnv, regression, { firstBad: 1, ms: shortMs });
    h.standin.expect(...bisectOperations);
    await h.startApp();
    const head = await h.fixture.commitPatch('help-text.patch');
    await h.fixture.pullRef(5, head);
    const validation = await openPull(h, [head]);
    expect(validation.actions).toEqual([expect.objectContaining({ identifier: 'iterations-x10' })]);
    await comment(h, '/sigstorm bisect');
    expect(replies(h)).toEqual([
      [
        '@maya-maintainer sigstorm did not bisect: this pull request has one commit, so there is nothing to bisect.',
        "Its validation's verdict is already that commit's: `/sigstorm run` validates it again.",
      ].join('\n'),
    ]);
    const pull = h.repo.pulls.get(5);
    if (!pull) throw new Error('pull request 5 is gone');
    pull.commits = Array.from({ length: 33 }, (_, i) =>
      i === 32 ? head : `${String(i).padStart(2, '0')}${'a'.repeat(38)}`,
    );
    await comment(h, '/sigstorm bisect');
    expect(replies(h)[1]).toBe(
      [
        '@maya-maintainer sigstorm did not bisect: this pull request has 33 commits; the App bisects at most 32.',
        'Bisect it on a machine of your own: `sigstorm bisect --repo <clone> --good <base> --bad <head>` (docs/bisect.md),',
        'or split the pull request.',
      ].join('\n'),
    );
    expect(bisectChecks(h)).toEqual([]);
    expect(await h.bisections()).toEqual([]);
    expect(commandLines(replies(h).join('\n')).some((line) => line.startsWith('/sigstorm'))).toBe(false);
  });
});
