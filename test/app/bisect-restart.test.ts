/**
 * `/sigstorm bisect` with no cells to storm, with cells named, and a bisection that survives a
 * restart, in the App as operators run it, on a scripted validation and a scripted bisection (as
 * test/app/bisect.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  bisectChecks,
  bisectOperations,
  comment,
  openPull,
  replies,
  threeCommits,
} from './support/bisect-pull.js';
import { lifecycle } from './support/expectations.js';
import { Harness, scriptedShortRun, shortMs, testEnv, untilStoppedMs } from './support/harness.js';

describe('bisecting a pull request in the App: cells named, and a restart', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
    expect(h.standin.problems).toEqual([]);
  });

  it('no regression found and no cells named: a reply that says what to name; named workloads are bisected with the config’s variants; restarted mid-bisection, it runs again and finishes', async () => {
    h = await Harness.create(testEnv, scriptedShortRun, { firstBad: null, ms: [untilStoppedMs, shortMs] });
    h.standin.expect(...bisectOperations);
    await h.startApp();
    const commits = await threeCommits(h);
    await openPull(h, commits);
    await comment(h, '/sigstorm bisect');
    expect(replies(h)).toEqual([
      [
        `@maya-maintainer sigstorm did not bisect: no validation of \`${commits[2]?.slice(0, 7)}\` found a stability regression, so it does not know which cells to storm.`,
        'Name them: `/sigstorm bisect workloads=a,b variants=plain` (`/sigstorm help` lists the workloads).',
      ].join('\n'),
    ]);
    await comment(h, '/sigstorm bisect workloads=server-burst');
    await h.waitForBisections(1);
    // Stopped as operators stop it: the job goes back to the queue, and runs again on the next start.
    await h.app.kill('SIGTERM');
    await h.startApp();
    const done = await h.standin.waitFor('the bisection to complete after the restart', () =>
      bisectChecks(h).find((c) => c.status === 'completed'),
    );
    expect(bisectChecks(h)).toHaveLength(1);
    expect(lifecycle(done)).toBe('queued → in_progress → queued → in_progress → completed:neutral');
    expect(done.output.title).toMatch(/^No regression to bisect: scripted; certainty 98\.3%$/);
    const asked = await h.bisections();
    expect(asked).toHaveLength(2);
    for (const a of asked) {
      expect(a).toMatchObject({ workloads: ['server-burst'], variants: ['plain'], observedRise: null });
    }
  });
});
