import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOperations } from './expectations.js';
import { Harness, maintainer, repoName, testEnv, testRepoConfig, type Validation } from './harness.js';
import { pullRequestPayload } from './payloads.js';

/**
 * What the `executor: actions` tests share: the caller workflow, the config on Actions, the App's
 * environment, and the steps of a pull request whose validation the App dispatches to the stand-in's
 * GitHub Actions (test/support/actions-runner.ts plays the runners).
 */
export const workflow = 'sigstorm-shards.yml';

/** Iterations per side in one batch of the `pr` profile: each shard of the test config runs one. */
export const batchSize = 10;

/** The test config on Actions: `shards` shards of one batch each (10 iterations per side). */
export function actionsConfig(shards: number): string {
  return [
    ...testRepoConfig.split('\n').filter((line) => !line.startsWith('iterations:')),
    `iterations: ${batchSize * shards}`,
    'executor:',
    '  kind: actions',
    `  workflow: ${workflow}`,
    '  runsOn: [self-hosted, storm-16]',
    `  shards: ${shards}`,
    '',
  ].join('\n');
}

export const actionsOperations = [
  'actions/create-workflow-dispatch',
  'actions/list-workflow-runs',
  'actions/get-workflow-run',
  'actions/list-jobs-for-workflow-run',
  'actions/list-workflow-run-artifacts',
  'actions/download-artifact',
  'actions/cancel-workflow-run',
] as const;

export const actionsEnv = { ...testEnv, SIGSTORM_ACTIONS_POLL_INTERVAL_MS: '1000' };
/**
 * The scripted App's (no shard storms to wait for): runs looked at every 0.25 s, so a run found by
 * polling (after a restart, or by name) is found in a fraction of a second.
 */
export const scriptedActionsEnv = { ...testEnv, SIGSTORM_ACTIONS_POLL_INTERVAL_MS: '250' };

/** A gate file for the runner's `--gate`: its jobs wait (in progress, cancellable) until it exists. */
export const newGateFile = () => join(tmpdir(), `sigstorm-gate-${process.pid}-${Date.now()}`);

/**
 * The App with the config on Actions, and the runner process with `runnerArgs`. `validation`:
 * 'storms' for the real `sigstorm serve` (shards that storm, merged and published end to end); a
 * script for the tests where no shard storms: the same App (its Actions executor is not scripted)
 * with short retry waits, write spacing and polls.
 */
export async function actionsHarness(
  runnerArgs: string[] = [],
  shards = 2,
  validation: Validation = 'storms',
): Promise<Harness> {
  const h = await Harness.create(validation === 'storms' ? actionsEnv : scriptedActionsEnv, validation);
  h.repo.config = actionsConfig(shards);
  h.actions.addWorkflow(repoName, workflow);
  h.standin.expect(...runOperations, ...actionsOperations);
  await h.startApp();
  await h.startRunner(runnerArgs);
  return h;
}

/** Pull request `number` at `head`, opened (or pushed) `agoS` seconds ago, shaped like a fork's. */
export async function openPull(
  h: Harness,
  number: number,
  head: string,
  action: 'opened' | 'synchronize' = 'opened',
  agoS = 20,
) {
  const updatedAt = new Date(Date.now() - agoS * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  // Every head is on no branch, only at refs/pull/N/head: shaped like a fork's pull request.
  await h.fixture.pullRef(number, head);
  return h.deliver(
    'pull_request',
    pullRequestPayload(action, h.where, {
      number,
      headSha: head,
      baseSha: h.fixture.baseSha,
      author: maintainer,
      updatedAt,
    }),
  );
}

/** Waits until the job is dispatched and the runner holds its shard jobs (behind the gate). */
export function heldByRunner(h: Harness, head: string) {
  return h.standin.waitFor(`the run of ${head.slice(0, 7)} to be on the runner`, () =>
    [...h.actions.runs.values()].find(
      (r) => r.inputs.head === head && r.jobs.some((j) => j.status === 'in_progress'),
    ),
  );
}

/** The check of `head` once completed and the App has settled. */
export async function completed(h: Harness, head: string) {
  const check = await h.standin.waitFor(
    `the check of ${head.slice(0, 7)} to complete (runner: ${h.runnerOutput.slice(-2000)})`,
    () => h.checkRuns().find((c) => c.headSha === head && c.status === 'completed'),
    240_000,
  );
  await h.settle();
  return check;
}
