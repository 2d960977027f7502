/**
 * `/sigstorm bisect` and the check's Bisect button, in the App as operators run it (a real process,
 * signed deliveries, the OpenAPI-checked GitHub stand-in), on a scripted validation and a scripted
 * bisection (scripted-bisect.ts: the commits are listed for real, the verdicts are scripted): the
 * command, the bisection's own check run, its section in the report comment, the button and cancel
 * (refusals: bisect-refusals.test.ts; named cells and a restart: bisect-restart.test.ts). The
 * bisection itself is tested on real storms in test/pipeline/bisect*.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  bisectChecks,
  bisectOperations,
  comment,
  openPull,
  reportCommentOf,
  threeCommits,
} from './support/bisect-pull.js';
import { lifecycle, scriptedConclusion } from './support/expectations.js';
import {
  Harness,
  maintainer,
  scriptedShortRun,
  shortMs,
  testEnv,
  untilStoppedMs,
} from './support/harness.js';
import { checkRunPayload } from './support/payloads.js';

const regression = { ...scriptedShortRun, outcome: 'regression' } as const;

describe('bisecting a pull request in the App', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });

  it('/sigstorm bisect after a regression: its own check run with its steps, the answer under the report; the Bisect button starts one that /sigstorm cancel stops', async () => {
    h = await Harness.create(testEnv, regression, { firstBad: 2, ms: [shortMs, untilStoppedMs] });
    h.standin.expect(...bisectOperations);
    await h.startApp();
    const commits = await threeCommits(h);
    const [first, second, third] = commits;
    const validation = await openPull(h, commits);
    expect(validation.conclusion).toBe(scriptedConclusion('regression'));
    // A regression on a pull request of 3 commits: the button, beside 10× iterations.
    expect(validation.actions).toEqual([
      expect.objectContaining({ identifier: 'iterations-x10' }),
      { label: 'Bisect', description: 'Find the commit that brought it', identifier: 'bisect-commits' },
    ]);
    const report = reportCommentOf(h);
    expect(report).toContain('sigstorm · head');

    await comment(h, 'Which one?\n/sigstorm bisect');
    expect(h.model.reactions.map((r) => r.content)).toEqual(['rocket']);
    const done = await h.standin.waitFor('the bisection to complete', () =>
      bisectChecks(h).find((c) => c.status === 'completed'),
    );
    expect(lifecycle(done)).toBe('queued → in_progress → completed:neutral');
    expect(done.headSha).toBe(third);
    expect(done.history[0]?.summary).toContain(
      `Bisection of the commits of #5 after \`${h.fixture.baseSha.slice(0, 7)}\` up to \`${third.slice(0, 7)}\` (base branch main), cells workloads=server-burst variants=plain,asan,tsan. Requested by @maya-maintainer (/sigstorm bisect).`,
    );
    // Its steps as they go: the first one's start, before any answer.
    expect(
      done.history.some(
        (s) =>
          s.status === 'in_progress' &&
          s.summary?.includes(
            `step 1 of at most 3: 3 (${third.slice(0, 12)} third commit) against the good point`,
          ),
      ),
    ).toBe(true);
    const answer = `First bad: 2 (${second.slice(0, 12)} second commit), certainty 95.0%`;
    expect(done.output.title).toBe(answer);
    // What it was asked: the pull request's commits (the good point is its first commit's parent), the cells the validation found regressed.
    expect(await h.bisections()).toEqual([
      {
        series: { kind: 'commits', repo: h.fixture.path, good: h.fixture.baseSha, bad: third },
        workloads: ['server-burst'],
        variants: ['plain', 'asan', 'tsan'],
        observedRise: { plain: 0.3, asan: 0.7, tsan: 0 },
      },
    ]);
    // The report comment keeps the validation's report and gets the bisection's section after it.
    await h.settle(700);
    const withAnswer = reportCommentOf(h);
    expect(withAnswer.startsWith(report.slice(0, report.indexOf('\n---\n')))).toBe(true);
    const section = withAnswer.slice(withAnswer.indexOf('<!-- sigstorm-bisect -->'));
    expect(section.split('\n').slice(0, 2)).toEqual([
      '<!-- sigstorm-bisect -->',
      `## Bisection: 🎯 ${answer}`,
    ]);
    expect(section).toContain(`| 2 (probe) | 1 \`${first.slice(0, 12)} help-text.patch\` | good |`);
    expect(section).toContain(`| 3 (probe) | 2 \`${second.slice(0, 12)} second commit\` | bad |`);
    expect(section.trimEnd().endsWith('<!-- /sigstorm-bisect -->')).toBe(true);
    // The validation's check is not touched by the bisection.
    expect(h.checkRuns().find((c) => c.id === validation.id)?.history).toEqual(validation.history);

    // The button: a second bisection (it runs until cancelled), then /sigstorm cancel.
    await h.deliver(
      'check_run',
      checkRunPayload('requested_action', h.where, {
        checkRunId: validation.id,
        headSha: third,
        user: maintainer,
        identifier: 'bisect-commits',
      }),
    );
    const pressed = await h.standin.waitFor('the button’s bisection to be in progress', () =>
      bisectChecks(h).find((c) => c.id !== done.id && c.status === 'in_progress'),
    );
    expect(pressed.history[0]?.summary).toContain('Requested by @maya-maintainer (Bisect).');
    await h.waitForBisections(2);
    await comment(h, '/sigstorm cancel');
    const cancelled = await h.standin.waitFor('the bisection to be cancelled', () =>
      bisectChecks(h).find((c) => c.id === pressed.id && c.status === 'completed'),
    );
    expect(lifecycle(cancelled)).toBe('queued → in_progress → completed:cancelled');
    expect(cancelled.output.summary).toContain('Cancelled by @maya-maintainer with `/sigstorm cancel`.');
    expect(h.query<{ kind: string; status: string }>('SELECT kind, status FROM jobs ORDER BY id')).toEqual([
      { kind: 'pull_request', status: 'done' },
      { kind: 'bisect', status: 'done' },
      { kind: 'bisect', status: 'cancelled' },
    ]);
  });
});
