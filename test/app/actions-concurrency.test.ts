import { rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  actionsConfig,
  actionsEnv,
  actionsOperations,
  newGateFile,
  openPull,
  workflow,
} from './support/actions-executor.js';
import { lifecycle, runOperations } from './support/expectations.js';
import { Harness, repoName } from './support/harness.js';

/**
 * The App against `concurrency:` as GitHub applies it (the stand-in reads the groups from the caller
 * docs/examples/sigstorm-shards.yml and from validate.yml): two dispatches for one pull request put
 * two runs in one group, and the newer cancels the older. No storm: the runner holds the shard jobs
 * behind a gate, then fails them (the check's conclusion then names the run it came from).
 */
describe('the App and concurrency groups on GitHub Actions (executor: actions), no storm', () => {
  let h: Harness;
  let gateFile = '';
  afterEach(async () => {
    await h.close();
    if (gateFile) await rm(gateFile, { force: true });
    expect(h.standin.problems).toEqual([]);
  });

  it('a dispatch made again cancels the late run of the first; the App follows the second and ends the check from it', async () => {
    gateFile = newGateFile();
    h = await Harness.create({ ...actionsEnv, SIGSTORM_ACTIONS_DISPATCH_WAIT_MS: '3000' });
    h.repo.config = actionsConfig(2);
    h.actions.addWorkflow(repoName, workflow);
    // GitHub answers the dispatch without the run, and lists a run only when the test says so.
    h.actions.answerWithoutRun = true;
    const listed = new Set<number>();
    h.actions.listed = (run) => listed.has(run.id);
    h.standin.expect(...runOperations, ...actionsOperations);
    await h.startApp();
    await h.startRunner(['--gate', gateFile, '--fail-shard', '1,2']);
    const head = await h.fixture.commitPatch('help-text.patch');
    await openPull(h, 41, head);
    const runs = () => [...h.actions.runs.values()];
    // The first run does not show; after the dispatch wait the App dispatches again, and the
    // second run, in the same concurrency group, cancels the first (its jobs held on the runner).
    const second = await h.standin.waitFor('a second dispatch', () => runs()[1], 20_000);
    const first = runs()[0];
    if (!first) throw new Error('no first run');
    await h.standin.waitFor('the first run to be cancelled', () => first.status === 'completed', 20_000);
    expect(first.conclusion).toBe('cancelled');
    expect(first.cancelledBecause).toMatch(/higher priority waiting request for 'sigstorm-shards-41'/);
    expect(second.status).not.toBe('completed');
    // Now GitHub lists the cancelled first run, not yet the second: the App must not end on it.
    listed.add(first.id);
    const looked = h.standin.callsOf('actions/list-workflow-runs').length;
    await h.standin.waitFor(
      'the App to list the runs twice',
      () => (h.standin.callsOf('actions/list-workflow-runs').length >= looked + 2 ? true : undefined),
      20_000,
    );
    const check = () => h.checkRuns().find((c) => c.headSha === head);
    expect(check()?.status).toBe('in_progress');
    listed.add(second.id);
    await writeFile(gateFile, '');
    const done = await h.standin.waitFor(
      'the check to complete',
      () => (check()?.status === 'completed' ? check() : undefined),
      30_000,
    );
    await h.settle();
    expect(lifecycle(done)).toBe('queued → in_progress → completed:failure');
    // Ended from the second run (its shards failed), never from the cancelled first one.
    expect(done.output.title).toBe(
      'sigstorm could not finish: No shard of the GitHub Actions run uploaded a readable blob (run failure)',
    );
    const said = `${done.output.summary ?? ''}\n${done.output.text ?? ''}`;
    expect(said).toContain(`actions/runs/${second.id}`);
    expect(said).not.toContain(`actions/runs/${first.id}`);
    expect(h.standin.callsOf('actions/create-workflow-dispatch')).toHaveLength(2);
    // Nothing was asked of the cancelled run's jobs or artifacts.
    const asked = [
      ...h.standin.callsOf('actions/list-jobs-for-workflow-run'),
      ...h.standin.callsOf('actions/list-workflow-run-artifacts'),
    ].map((c) => Number(c.params.run_id));
    expect(asked).not.toContain(first.id);
  });
});
