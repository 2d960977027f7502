// Plays GitHub Actions runners for the App tests: takes shard jobs from the stand-in (its runner
// protocol), runs each as a real `sigstorm validate --shard K/N --blob FILE` process with the run's
// inputs, zips the blob as upload-artifact does and uploads it. A separate process, like runners.
//
//   tsx test/support/actions-runner.ts --standin http://127.0.0.1:PORT --repo-map '{"o/r":"/path"}'
//     [--runners 2] [--fail-shard K[,K…]] [--tamper-shard K] [--gate FILE]
//
// --fail-shard K,…: these shards' jobs fail before they upload anything (a runner lost, a step failing).
// --tamper-shard K: shard K uploads a blob edited after sigstorm wrote it (a compromised runner).
// --gate FILE: a job waits (in progress, cancellable) until FILE exists before it storms.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { shardArtifact } from '../../src/publish/actions/collect-blobs.js';
import { installRoot } from '../../src/util/paths.js';
import type { RunnerJobSpec } from './github-standin/actions.js';
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
let stopping = false;
const children = new Set<ReturnType<typeof execa>>();

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
  log(`shard ${spec.shard}/${spec.shards} of run ${spec.runId}: ${conclusion}`);
}

/** One shard job, as the reusable workflow's shard job runs it (its "Storm shard" step). */
async function runJob(spec: RunnerJobSpec): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sigstorm-runner-'));
  try {
    while (values.gate && !existsSync(values.gate)) {
      if (stopping || (await cancelled(spec))) return complete(spec, 'cancelled');
      await sleep(200);
    }
    if (failShards.includes(spec.shard)) return complete(spec, 'failure');
    const { inputs } = spec;
    const names = shardArtifact(spec.shard, spec.shards);
    const blob = join(dir, names.entry);
    const args = [
      join(installRoot, 'bin', 'sigstorm.js'),
      'validate',
      '--repo',
      repoMap[spec.repo] ?? '',
      '--base',
      inputs.base ?? '',
      '--head',
      inputs.head ?? '',
      '--profile',
      inputs.profile ?? 'pr',
      '--out',
      join(dir, 'out'),
      '--shard',
      `${spec.shard}/${spec.shards}`,
      '--blob',
      blob,
      '--quiet',
    ];
    if (spec.config === undefined) {
      args.push('--no-config');
    } else {
      await writeFile(join(dir, 'sigstorm.yml'), spec.config);
      args.push('--config', join(dir, 'sigstorm.yml'));
    }
    if (inputs.workloads) args.push('--workloads', inputs.workloads);
    if (inputs.variants) args.push('--variants', inputs.variants);
    if (inputs.iterations) args.push('--iterations', inputs.iterations);
    const child = execa('node', args, { reject: false, all: true, env: process.env });
    children.add(child);
    let stopped = false;
    const watch = (async () => {
      while (children.has(child)) {
        await sleep(300);
        if (children.has(child) && (await cancelled(spec))) {
          stopped = true;
          child.kill('SIGTERM');
          return;
        }
      }
    })();
    const result = await child;
    children.delete(child);
    await watch;
    if (stopped || stopping) return complete(spec, 'cancelled');
    if (result.exitCode !== 0) {
      log(`shard ${spec.shard} exited ${result.exitCode}:\n${result.all}`);
      return complete(spec, 'failure');
    }
    let data = await readFile(blob);
    if (spec.shard === tamperShard) {
      const json = JSON.parse(data.toString('utf8')) as { plan: { seed: number } };
      json.plan.seed += 1;
      data = Buffer.from(JSON.stringify(json));
    }
    // upload-artifact zips the file under its own name, with data descriptors (streamed).
    const zip = writeZip([{ name: names.entry, data }], { descriptor: true });
    await call('PUT', `/_runner/jobs/${spec.jobId}/artifacts/${names.artifact}`, zip);
    return complete(spec, 'success');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const slots = Number(values.runners);
  const running = new Set<Promise<void>>();
  log(`polling ${standin} with ${slots} runners`);
  while (!stopping) {
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
    log(`took shard ${spec.shard}/${spec.shards} of run ${spec.runId}`);
    const job = runJob(spec).catch((error: unknown) => log(`job ${spec.jobId} broke: ${String(error)}`));
    running.add(job);
    void job.finally(() => running.delete(job));
  }
  await Promise.all(running);
}

process.on('SIGTERM', () => {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
});
await main();
