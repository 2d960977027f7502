// Plays GitHub Actions runners for the App tests: takes shard jobs from the stand-in (its runner
// protocol) and runs each as the reusable workflow's `shard` job, read from
// .github/workflows/validate.yml with the inputs the caller (docs/examples/sigstorm-shards.yml)
// hands it from the dispatch: its `run:` steps run as written (test/support/workflow-steps.ts), and
// its `uses:` steps are played as the actions do (checkout, artifacts, cache). A separate process, like runners.
//
//   tsx test/support/actions-runner.ts --standin http://127.0.0.1:PORT --repo-map '{"o/r":"/path"}'
//     [--runners 2] [--fail-shard K[,K…]] [--tamper-shard K] [--gate FILE]
//
// --fail-shard K,…: these shards' jobs fail before they upload anything (a runner lost, a step failing).
// --tamper-shard K: shard K uploads a blob edited after sigstorm wrote it (a compromised runner).
// --gate FILE: a job waits (in progress, cancellable) until FILE exists before it storms.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { installRoot } from '../../src/util/paths.js';
import type { RunnerJobSpec } from './github-standin/actions.js';
import {
  type Context,
  calledInputs,
  callerPath,
  condition,
  interpolate,
  jobOf,
  readWorkflow,
  reusablePath,
  runStep,
  show,
  type WorkflowStep,
} from './workflow-steps.js';
import { writeZip } from './zip-writer.js';

const { values } = parseArgs({
  options: {
    standin: { type: 'string' },
    'repo-map': { type: 'string' },
    runners: { type: 'string', default: '2' },
    'fail-shard': { type: 'string' },
    'tamper-shard': { type: 'string' },
    gate: { type: 'string' },
  },
});
const standin = values.standin ?? '';
const repoMap = JSON.parse(values['repo-map'] ?? '{}') as Record<string, string>;
const failShards = (values['fail-shard'] ?? '').split(',').filter(Boolean).map(Number);
const tamperShard = values['tamper-shard'] === undefined ? undefined : Number(values['tamper-shard']);
const stopAll = new AbortController();

/**
 * `run:` steps this runner plays instead of running, each with why. Any other `run:` step runs as
 * written, and a `uses:` step the runner cannot play fails the job: the YAML cannot drift from the test.
 */
const played: Record<string, string> = {
  'Unpack sigstorm': 'the source artifact is this checkout, linked as sigstorm/',
  'Install sigstorm and its system packages':
    'this machine has them (setup.sh would install node dependencies)',
};

function log(line: string): void {
  process.stderr.write(`actions-runner: ${line}\n`);
}

async function call(method: string, path: string, body?: Buffer | string): Promise<Response> {
  return fetch(`${standin}${path}`, { method, ...(body === undefined ? {} : { body }) });
}

async function cancelled(spec: RunnerJobSpec): Promise<boolean> {
  const response = await call('GET', `/_runner/jobs/${spec.jobId}`);
  const state = (await response.json()) as { cancelled?: boolean };
  return state.cancelled === true;
}

async function complete(spec: RunnerJobSpec, conclusion: string): Promise<void> {
  await call('POST', `/_runner/jobs/${spec.jobId}/complete`, JSON.stringify({ conclusion }));
  log(`shard ${spec.shard}/${spec.shards} of run ${spec.runId} (attempt ${spec.attempt}): ${conclusion}`);
}

class StepFailed extends Error {}

/** One shard job: the `shard` job of validate.yml, step by step. */
async function runJob(spec: RunnerJobSpec): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sigstorm-runner-'));
  const workspace = join(dir, 'workspace');
  const temp = join(dir, 'temp');
  await mkdir(workspace, { recursive: true });
  await mkdir(temp, { recursive: true });
  const abort = new AbortController();
  const stopOnAll = () => abort.abort();
  stopAll.signal.addEventListener('abort', stopOnAll, { once: true });
  const watch = (async () => {
    while (!abort.signal.aborted) {
      await sleep(300);
      if (!abort.signal.aborted && (await cancelled(spec).catch(() => false))) abort.abort();
    }
  })();
  try {
    while (values.gate && !existsSync(values.gate)) {
      if (abort.signal.aborted) return await complete(spec, 'cancelled');
      await sleep(200);
    }
    if (failShards.includes(spec.shard)) return await complete(spec, 'failure');
    const conclusion = await steps(spec, { workspace, temp, signal: abort.signal });
    return await complete(spec, abort.signal.aborted ? 'cancelled' : conclusion);
  } finally {
    abort.abort();
    stopAll.signal.removeEventListener('abort', stopOnAll);
    await watch;
    await rm(dir, { recursive: true, force: true });
  }
}

async function steps(
  spec: RunnerJobSpec,
  where: { workspace: string; temp: string; signal: AbortSignal },
): Promise<string> {
  const shardJob = jobOf(readWorkflow(reusablePath), 'shard');
  const outputs: Record<string, { outputs: Record<string, string> }> = {};
  const context: Context = {
    inputs: calledInputs(readWorkflow(callerPath), spec.inputs),
    matrix: { shard: spec.shard },
    runner: { temp: where.temp, os: 'Linux', arch: 'X64' },
    github: {
      repository: spec.repo,
      ref: `refs/heads/${spec.ref}`,
      event_name: 'workflow_dispatch',
      event: { inputs: spec.inputs },
      run_id: String(spec.runId),
      run_attempt: String(spec.attempt),
    },
    needs: {
      plan: {
        result: 'success',
        outputs: { shards: JSON.stringify(Array.from({ length: spec.shards }, (_, i) => i + 1)) },
      },
    },
    steps: outputs,
  };
  let failed = false;
  for (const step of shardJob.steps) {
    if (where.signal.aborted) return 'cancelled';
    if (!condition(step.if, context, failed)) continue;
    const label = step.name ?? step.uses ?? 'a step';
    try {
      if (step.uses) {
        await play(step, spec, context, where);
      } else if (step.name && step.name in played) {
        log(`shard ${spec.shard}: ${label}: played (${played[step.name]})`);
      } else {
        const result = await runStep(step, context, { ...where, baseEnv: runnerEnv() });
        if (step.id) outputs[step.id] = { outputs: result.outputs };
        if (result.exitCode !== 0) throw new StepFailed(`exited ${result.exitCode}:\n${result.output}`);
      }
    } catch (error) {
      if (where.signal.aborted) return 'cancelled';
      log(
        `shard ${spec.shard}: step "${label}" failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      failed = true;
    }
  }
  return failed ? 'failure' : 'success';
}

/** What every step's environment starts from: the runner's PATH and home, and its build cache. */
function runnerEnv(): Record<string, string | undefined> {
  return { PATH: process.env.PATH, HOME: process.env.HOME };
}

/** A `uses:` step, played as the action does it. */
async function play(
  step: WorkflowStep,
  spec: RunnerJobSpec,
  context: Context,
  where: { workspace: string; temp: string },
): Promise<void> {
  const action = (step.uses ?? '').split('@')[0];
  const input = (name: string) => interpolate(show(step.with?.[name] ?? ''), context);
  switch (action) {
    case 'actions/download-artifact':
      // The plan job's packed sigstorm: this very checkout (the next step unpacks it).
      if (input('name') !== 'sigstorm-source')
        throw new Error(`no artifact ${show(input('name'))} to download`);
      await symlink(installRoot, join(where.workspace, 'sigstorm'));
      return;
    case 'actions/checkout':
      return checkout(spec, join(where.workspace, show(input('path'))), Number(input('fetch-depth')));
    case 'actions/setup-node':
      return;
    // The system packages' downloads: this machine has the packages (the install step is played).
    case 'actions/cache':
      return;
    case 'actions/cache/restore': {
      // The plan job saved base's and head's builds: here, the runner's own build cache.
      const path = resolve(where.workspace, show(input('path')));
      const builds = join(process.env.SIGSTORM_CACHE_DIR ?? '', 'builds');
      if (!process.env.SIGSTORM_CACHE_DIR || basename(path) !== 'builds') return;
      // A miss, as actions/cache/restore takes one: the step succeeds, and the shard builds.
      if (!existsSync(builds))
        return log(`shard ${spec.shard}: cache restore: no builds in the test cache (a miss)`);
      await mkdir(join(path, '..'), { recursive: true });
      // Restored as real files, as actions/cache does (hard links: no copy of the bytes). A symlink
      // would be refused: a storm's program directory may not lead through one (docs/security.md).
      await execa('cp', ['-al', builds, path]);
      return;
    }
    case 'actions/upload-artifact':
      return upload(spec, where.workspace, {
        name: show(input('name')),
        path: show(input('path')),
        overwrite: input('overwrite') === true || input('overwrite') === 'true',
        required: input('if-no-files-found') === 'error',
      });
    default:
      throw new Error(`the stand-in runner cannot play ${step.uses}`);
  }
}

/**
 * actions/checkout of the workflow's repository at the run's ref: fetch-depth 0 fetches every
 * branch and tag, and nothing else (a fork's pull request head is on neither). Protocol v0: the one
 * in which a local repository refuses wants of commits its refs do not reach, as GitHub does.
 */
async function checkout(spec: RunnerJobSpec, path: string, depth: number): Promise<void> {
  const origin = repoMap[spec.repo];
  if (!origin) throw new Error(`no repository for ${spec.repo} in --repo-map`);
  if (depth !== 0) throw new Error(`the stand-in runner plays fetch-depth 0 only, not ${depth}`);
  const git = (...args: string[]) => execa('git', args, { cwd: path });
  await mkdir(path, { recursive: true });
  await git('init', '-q');
  await git('config', 'protocol.version', '0');
  await git('remote', 'add', 'origin', origin);
  await git('fetch', '-q', 'origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*');
  await git('checkout', '-q', '--detach', `origin/${spec.ref}`);
}

/** actions/upload-artifact v4: one zip per name; an existing name is refused unless `overwrite`. */
async function upload(
  spec: RunnerJobSpec,
  workspace: string,
  artifact: { name: string; path: string; overwrite: boolean; required: boolean },
): Promise<void> {
  const file = resolve(workspace, artifact.path);
  if (!existsSync(file)) {
    if (artifact.required) throw new Error(`no files were found with the path ${artifact.path}`);
    return;
  }
  let data = await readFile(file);
  if (spec.shard === tamperShard) {
    const json = JSON.parse(data.toString('utf8')) as { plan: { seed: number } };
    json.plan.seed += 1;
    data = Buffer.from(JSON.stringify(json));
  }
  // upload-artifact zips the file under its own name, with data descriptors (streamed).
  const zip = writeZip([{ name: basename(file), data }], { descriptor: true });
  const overwrite = artifact.overwrite ? '/overwrite' : '';
  const response = await call(
    'PUT',
    `/_runner/jobs/${spec.jobId}/artifacts/${artifact.name}${overwrite}`,
    zip,
  );
  if (!response.ok) {
    throw new Error(`Failed to CreateArtifact: (${response.status}) ${await response.text()}`);
  }
}

async function main(): Promise<void> {
  const slots = Number(values.runners);
  const running = new Set<Promise<void>>();
  log(`polling ${standin} with ${slots} runners`);
  while (!stopAll.signal.aborted) {
    if (running.size >= slots) {
      await Promise.race(running);
      continue;
    }
    let response: Response;
    try {
      response = await call('GET', '/_runner/jobs/next');
    } catch (error) {
      log(`stand-in unreachable: ${String(error)}`);
      await sleep(500);
      continue;
    }
    if (response.status === 204) {
      await sleep(200);
      continue;
    }
    const spec = (await response.json()) as RunnerJobSpec;
    log(`took shard ${spec.shard}/${spec.shards} of run ${spec.runId} (attempt ${spec.attempt})`);
    const job = runJob(spec).catch((error: unknown) => log(`job ${spec.jobId} broke: ${String(error)}`));
    running.add(job);
    void job.finally(() => running.delete(job));
  }
  await Promise.all(running);
}

process.on('SIGTERM', () => stopAll.abort());
await main();
