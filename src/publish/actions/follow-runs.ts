import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommentWhen, RepoConfig } from '../../config/repo-config.schema.js';
import { formatConfigProblem, parseRepoConfigText } from '../../config/repo-config-parse.js';
import { mergeShards } from '../../pipeline/shards/merge-shards.js';
import { readShardBlob } from '../../pipeline/shards/read-shard-blobs.js';
import type { TreeSide } from '../../source/tree-side.js';
import { SigstormError } from '../../util/errors.js';
import { WorkLoop } from '../../util/work-loop.js';
import { PipelineFailure, type Run, runOf } from '../executor/run.js';
import { loadConfig, publish, publishFailure, saveResult } from '../executor/run-job.js';
import { updateCheckRun } from '../github/check-run.js';
import type { Octokit } from '../github/octokit.js';
import { actionsProgressOutput, queuedOutput } from '../messages/check-outputs.js';
import type { ActionsHandle, Services } from '../services.js';
import type { ActionsRun, Job } from '../store/job.js';
import {
  dispatchWorkflow,
  findRunByCorrelation,
  getRun,
  listArtifacts,
  listShardJobs,
  type RunState,
  type ShardJob,
} from './actions-api.js';
import { type CollectedBlobs, collectBlobs, collectShard } from './collect-blobs.js';
import { newCorrelation } from './dispatch-run.js';

/**
 * Follows the jobs dispatched to GitHub Actions (status `dispatched`, kept in the store): polls each
 * one's run, woken early by workflow_run / workflow_job events; shows shards done of N on the
 * check; when the run completes, downloads the blobs and merges them into the same check and comment
 * as the local executor. Runs beside the local executor and never takes its slot. After a restart
 * the store still lists the dispatched jobs, so following them resumes by polling. `stop()` lets a
 * merge in progress finish first.
 */
export class ActionsFollower extends WorkLoop implements ActionsHandle {
  readonly #services: () => Services;
  /** Jobs whose check this process has shown in progress (after a restart, each is shown again). */
  readonly #shown = new Set<number>();

  constructor(services: () => Services) {
    super();
    this.#services = services;
  }

  /** Looks at every dispatched job once, then sleeps a poll interval (or until an event wakes it). */
  protected async turn(): Promise<number> {
    const { store, log, settings } = this.#services();
    for (const job of store.withStatus('dispatched')) {
      if (this.stopping) break;
      try {
        await this.#follow(job);
      } catch (error) {
        log.warn(
          { err: error, job: job.id },
          'sigstorm: following an Actions run failed; retrying at the next poll',
        );
      }
    }
    return settings.actionsPollIntervalMs;
  }

  async #follow(job: Job): Promise<void> {
    const services = this.#services();
    const recorded = job.actionsRun;
    if (!recorded) return;
    const octokit = await services.auth(job.installationId);
    const where = { owner: job.owner, repo: job.repo };
    let actions = recorded;
    let state: RunState | undefined;
    /** The run's id as kept: null while the run followed is an earlier dispatch's (found again each turn). */
    let followed = actions.runId;
    if (actions.runId === null) {
      // GitHub did not say which run the dispatch made (or the answer was lost): find it by name.
      // A run of an earlier dispatch that shows late is as good as this one's, unless it was
      // cancelled: the later dispatch's run took its concurrency group (docs/github-actions.md), so
      // this dispatch's run is the one to wait for. The newest earlier dispatch first: in one group
      // the newest run is the one that was not cancelled.
      const found = await findRunByCorrelation(octokit, where, actions.workflow, [
        actions.correlation,
        ...[...actions.earlier].reverse(),
      ]);
      const superseded =
        found !== undefined && found.correlation !== actions.correlation && found.conclusion === 'cancelled';
      if (!found || superseded) {
        await this.#maybeDispatchAgain(octokit, job, actions);
        return;
      }
      state = found;
      followed = found.correlation === actions.correlation ? found.id : null;
    } else {
      state = await getRun(octokit, where, actions.runId);
    }
    const jobs = await listShardJobs(octokit, where, state.id);
    const done = jobs.filter((j) => j.status === 'completed').length;
    const changed = done !== actions.done || followed !== actions.runId || state.htmlUrl !== actions.htmlUrl;
    if (changed || !this.#shown.has(job.id)) {
      const iterations =
        state.status === 'completed'
          ? actions.iterations
          : await this.#iterationsSoFar(octokit, job, state.id, actions, jobs);
      actions = { ...actions, runId: followed, htmlUrl: state.htmlUrl, done, iterations };
      services.store.setActionsRun(job.id, actions);
      this.#shown.add(job.id);
      await updateCheckRun(octokit, job, {
        status: 'in_progress',
        output: actionsProgressOutput(job, { ...actions, status: state.status }),
      });
    }
    if (state.status !== 'completed') return;
    await this.#collect(octokit, { ...job, actionsRun: actions }, state, jobs);
  }

  /**
   * Progress from the blobs of the shards that finished while the run goes on: each blob read once
   * (checked like the merge checks it), its iterations per side kept with the run. A shard whose
   * artifact is not there yet or is refused counts nothing now; the merge names it if it stays so.
   */
  async #iterationsSoFar(
    octokit: Octokit,
    job: Job,
    runId: number,
    actions: ActionsRun,
    jobs: readonly ShardJob[],
  ): Promise<ActionsRun['iterations']> {
    const pending = jobs.filter(
      (j) =>
        j.status === 'completed' && j.conclusion === 'success' && !(String(j.shard) in actions.iterations),
    );
    if (pending.length === 0) return actions.iterations;
    const where = { owner: job.owner, repo: job.repo };
    const artifacts = await listArtifacts(octokit, where, runId);
    // The merge's own folder: a blob read here is not downloaded again when the run completes.
    const dir = join(runDir(this.#services(), actions, runId), 'blobs');
    const iterations = { ...actions.iterations };
    for (const { shard } of pending) {
      const got = await collectShard(octokit, where, { artifacts, jobs, shard, shards: actions.shards, dir });
      if (got.kind !== 'file') continue;
      const reading = await readShardBlob(got.file);
      if (reading.kind !== 'accepted') {
        // Downloaded again by the merge, which refuses it by name in the report.
        await rm(got.file, { force: true });
        continue;
      }
      const count = (side: TreeSide) => reading.blob.cells.reduce((n, c) => n + c[side].length, 0);
      iterations[String(shard)] = { base: count('base'), head: count('head') };
    }
    return iterations;
  }

  /**
   * A dispatch whose run GitHub has not shown: waited for (the first for the dispatch wait, each
   * later one twice as long as the one before), then dispatched again with the same branch, inputs
   * and config under a new correlation id; after the last dispatch's wait the check fails saying so.
   */
  async #maybeDispatchAgain(octokit: Octokit, job: Job, actions: ActionsRun): Promise<void> {
    const services = this.#services();
    const { actionsDispatchWaitMs: wait, actionsDispatches: most } = services.settings;
    if (Date.now() - Date.parse(actions.dispatchedAt) < wait * 2 ** (actions.dispatches - 1)) return;
    if (actions.dispatches >= most) return this.#giveUp(octokit, job, actions);
    if (!actions.inputs || actions.ref === undefined) {
      // Dispatched by an older App, which kept no inputs: the executor dispatches it anew.
      const note = `GitHub never showed the run of dispatch ${actions.correlation}; dispatching again`;
      if (!services.store.undispatch(job.id, note)) return;
      await updateCheckRun(octokit, job, { status: 'queued', output: queuedOutput(job) });
      services.executor.notify();
      return;
    }
    const correlation = newCorrelation(job);
    const next: ActionsRun = {
      ...actions,
      correlation,
      dispatchedAt: new Date().toISOString(),
      dispatches: actions.dispatches + 1,
      earlier: [...actions.earlier, actions.correlation],
    };
    // Kept before the call, as the first dispatch is: a lost answer is found by the new name.
    services.store.setActionsRun(job.id, next);
    services.log.warn(
      { job: job.id, correlation: actions.correlation, dispatch: next.dispatches },
      `sigstorm: GitHub never showed the run of dispatch ${actions.correlation}; dispatching again`,
    );
    const created = await dispatchWorkflow(
      octokit,
      { owner: job.owner, repo: job.repo },
      actions.workflow,
      actions.ref,
      { ...actions.inputs, 'sigstorm-job': correlation },
    );
    // The wait for its run counts from GitHub's answer: a slow answer does not shorten it.
    const answered = { ...next, dispatchedAt: new Date().toISOString() };
    const dispatched = created ? { ...answered, runId: created.runId, htmlUrl: created.htmlUrl } : answered;
    services.store.setActionsRun(job.id, dispatched);
    await updateCheckRun(octokit, job, {
      status: 'in_progress',
      output: actionsProgressOutput(job, { ...dispatched, status: 'queued' }),
    });
  }

  /** The last dispatch's run never showed either: the check fails saying how often and how long. */
  async #giveUp(octokit: Octokit, job: Job, actions: ActionsRun): Promise<void> {
    const services = this.#services();
    if (!services.store.transition(job.id, ['dispatched'], 'running')) return;
    const run = runOf(services, { ...job, status: 'running' }, octokit, new AbortController().signal);
    const config = actions.config === undefined ? undefined : parseRepoConfigText(actions.config);
    const comment = config?.ok ? config.config.comment : 'always';
    const { actionsDispatchWaitMs: wait } = services.settings;
    // Each dispatch waited twice as long as the one before: wait × (2^n − 1) in all.
    const seconds = Math.round((wait * (2 ** actions.dispatches - 1)) / 1000);
    const waited = seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
    const error = new SigstormError(
      `GitHub showed no run of ${actions.workflow} in ${actions.dispatches} dispatches (${waited}); stopped`,
      {
        details: `Dispatched on ${actions.ref ?? 'the base branch'}; the run-name carries each dispatch's id: ${[...actions.earlier, actions.correlation].join(', ')}`,
        hint: "Look at the repository's Actions tab: a disabled workflow, Actions turned off for the repository, or a caller whose run-name does not carry inputs.sigstorm-job (docs/github-actions.md). `/sigstorm rerun` dispatches again.",
      },
    );
    try {
      await publishFailure(run, error, comment, { checkFirst: true });
    } catch (publishError) {
      services.store.requeue(job.id, `publishing the failure failed: ${String(publishError)}`, true);
      throw publishError;
    }
  }

  /** The run completed: its blobs merged, then published as the local executor publishes a result. */
  async #collect(octokit: Octokit, job: Job, state: RunState, jobs: readonly ShardJob[]): Promise<void> {
    const services = this.#services();
    const actions = job.actionsRun;
    // Claimed like the executor claims: a cancel that came first wins, and a crash from here on is
    // recovered by the restart (back to `dispatched`, collected again).
    if (!actions || !services.store.transition(job.id, ['dispatched'], 'running')) return;
    const run = runOf(services, { ...job, status: 'running' }, octokit, new AbortController().signal);
    let comment: CommentWhen = 'always';
    try {
      const config = await runConfig(run, actions);
      if (!config) return;
      comment = config.comment;
      const outDir = runDir(services, actions, state.id);
      const blobs = await collectBlobs(
        octokit,
        { owner: job.owner, repo: job.repo },
        state.id,
        actions.shards,
        jobs,
        join(outDir, 'blobs'),
      );
      run.log.info(
        {
          runId: state.id,
          blobs: blobs.files.length,
          refused: blobs.refused.length,
          absent: blobs.absent.size,
        },
        'sigstorm: Actions run completed; merging its blobs',
      );
      if (blobs.files.length === 0) throw new PipelineFailure(noBlobError(state, actions.shards, blobs));
      let result: Awaited<ReturnType<typeof mergeShards>>;
      try {
        result = await mergeShards({
          files: blobs.files,
          outDir,
          thresholds: config.thresholds,
          refused: blobs.refused,
          absent: blobs.absent,
        });
      } catch (error) {
        throw new PipelineFailure(error);
      }
      await publish(run, saveResult(run, result, config));
    } catch (error) {
      if (error instanceof PipelineFailure) {
        try {
          await publishFailure(run, error.cause, comment, { checkFirst: true });
        } catch (publishError) {
          services.store.requeue(job.id, `publishing the failure failed: ${String(publishError)}`, true);
          throw publishError;
        }
        return;
      }
      // GitHub failed: back to `dispatched` (or `validated` once the result is kept), tried again later.
      services.store.requeue(job.id, `collecting the Actions run failed: ${String(error)}`, true);
      throw error;
    }
  }
}

/**
 * The config the run was given at its dispatch (one config per run: the shards planned with it, and
 * the merge judges by it, whatever the default branch says now); read again only for a run an older
 * App dispatched without keeping it.
 */
async function runConfig(run: Run, actions: ActionsRun): Promise<RepoConfig | undefined> {
  if (actions.config === undefined) return (await loadConfig(run))?.config;
  const parsed = parseRepoConfigText(actions.config);
  if (parsed.ok) return parsed.config;
  throw new PipelineFailure(
    new SigstormError('The config this run was dispatched with no longer parses', {
      details: parsed.problems.map(formatConfigProblem).join('\n'),
      hint: 'A newer sigstorm reads .github/sigstorm.yml differently: `/sigstorm rerun` dispatches with the config as it reads now.',
    }),
  );
}

/**
 * Where one Actions run of a job keeps its blobs and merge, named by the dispatch's correlation id
 * (the job's id and a random part) and the run's id: a blob kept there belongs to this very run,
 * never to another job or run, even after the store was reset with the cache kept.
 */
function runDir(services: Services, actions: ActionsRun, runId: number): string {
  return join(services.settings.cacheDir, 'runs', `actions-${actions.correlation}-run-${runId}`);
}

/** Every shard of the run is missing: the check fails saying why each one is, and where to look. */
function noBlobError(state: RunState, shards: number, blobs: CollectedBlobs): SigstormError {
  const lines = Array.from({ length: shards }, (_, i) => {
    const shard = i + 1;
    const refused = blobs.refused.find((r) => r.shard === shard);
    return `shard ${shard}/${shards}: ${refused ? `${refused.file} refused: ${refused.why}` : (blobs.absent.get(shard) ?? 'no blob')}`;
  });
  return new SigstormError(
    `No shard of the GitHub Actions run uploaded a readable blob (run ${state.conclusion ?? state.status})`,
    {
      details: lines.join('\n'),
      hint: `See the shard jobs' logs of the run (${state.htmlUrl}); \`/sigstorm rerun\` dispatches it again.`,
    },
  );
}
