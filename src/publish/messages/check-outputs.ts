import { type ConfigProblem, formatConfigProblem } from '../../config/repo-config-parse.js';
import type { ValidateProgress } from '../../pipeline/request/contract.js';
import { aboutLeft } from '../../pipeline/schedule/validation-budget.js';
import { describeError } from '../../util/errors.js';
import { formatCount } from '../../util/format.js';
import type { CheckOutput } from '../github/check-run.js';
import { describeRange } from '../jobs/bisect-job.js';
import { type ActionsRun, type Job, shortSha, type UntrustedReason } from '../store/job.js';
import { quotedUntrusted } from './redact.js';
import { codeSpan } from './user-text.js';

/** What the check run says at each step of a job's life. One function per state; no API calls here. */

function subject(job: Job): string {
  if (job.kind === 'bisect') {
    const { workloads, variants } = job.options;
    const cells = `workloads=${workloads?.join(',') ?? '(none)'} variants=${variants?.join(',') ?? "(the config's)"}`;
    return `Bisection of ${describeRange(job)} (base branch ${job.baseLabel}), cells ${cells}. Requested by @${job.requestedBy} (${job.trigger}).`;
  }
  const base = `\`${shortSha(job.baseSha)}\` (${job.baseLabel})`;
  const head = `\`${shortSha(job.headSha)}\` (${job.headLabel})`;
  const profile = job.options.profile === 'release' ? 'release profile' : 'pull-request profile';
  const { workloads, variants, iterations } = job.options;
  const asked = [
    workloads ? `workloads=${workloads.join(',')}` : '',
    variants ? `variants=${variants.join(',')}` : '',
    iterations !== undefined ? `iterations=${iterations}` : '',
  ].filter(Boolean);
  const settings = asked.length > 0 ? ` Asked for ${asked.join(' ')}.` : '';
  return `Head ${head} against base ${base}, ${profile}.${settings} Requested by @${job.requestedBy} (${job.trigger}).`;
}

export function queuedOutput(job: Job): CheckOutput {
  return {
    title: 'Queued',
    summary: `${subject(job)}\n\nWaiting for the executor: one storm runs at a time on this host.`,
  };
}

export type { UntrustedReason };

export function awaitingApprovalOutput(job: Job, reason: UntrustedReason): CheckOutput {
  const why =
    reason.kind === 'fork'
      ? `This pull request comes from a fork (\`${reason.repo}\`)`
      : `The author, @${reason.author}, has no write permission on this repository`;
  return {
    title: "Waiting for a maintainer's approval",
    summary: [
      `${why}, so sigstorm does not build or run its code on its own: builds and storms execute the`,
      "pull request on this host, or on the repository's GitHub Actions runners when .github/sigstorm.yml",
      'says `executor: actions` (use ephemeral runners for untrusted code: docs/security.md).',
      '',
      `A maintainer approves commit \`${shortSha(job.headSha)}\` by commenting \`/sigstorm run\` or with the`,
      '**Approve and run** button above. Every new push needs a new approval.',
      '',
      subject(job),
    ].join('\n'),
  };
}

export function startingOutput(job: Job): CheckOutput {
  return { title: 'Starting', summary: `${subject(job)}\n\nPreparing base and head…` };
}

/** A bisection under way: its steps so far (started and decided), then the storm of the current one. */
export function bisectProgressOutput(
  job: Job,
  steps: readonly string[],
  progress: ValidateProgress | undefined,
): CheckOutput {
  const started = steps.filter((line) => /^step \d+ of at most/.test(line)).length;
  const storm = progress
    ? `**${progress.phase}**: ${progress.message} (iterations ${progress.iterationsDone.toLocaleString('en-US')} / ${progress.iterationsTotal.toLocaleString('en-US')})`
    : 'Listing the commits…';
  return {
    title: `Bisecting: ${started > 0 ? `step ${started}` : 'starting'}${progress ? `, ${progress.phase}` : ''}`,
    summary: [
      ...(steps.length > 0 ? [...steps.slice(-20).map((line) => `- ${codeSpan(line)}`), ''] : []),
      storm,
      '',
      subject(job),
    ].join('\n'),
  };
}

export function progressOutput(job: Job, progress: ValidateProgress): CheckOutput {
  const pct =
    progress.iterationsTotal > 0 ? Math.floor((100 * progress.iterationsDone) / progress.iterationsTotal) : 0;
  const line = [
    `iterations ${progress.iterationsDone.toLocaleString('en-US')} / ${progress.iterationsTotal.toLocaleString('en-US')}`,
    `cells finished ${progress.cellsDone} / ${progress.cellsTotal}`,
    ...(progress.expectedLeftMs === undefined ? [] : [aboutLeft(progress.expectedLeftMs)]),
  ].join(' · ');
  // The expected finish when the pipeline has one (the whole validation's, from measured rates);
  // the share of the iteration caps otherwise.
  const how =
    progress.expectedLeftMs === undefined ? `${pct}% of iterations` : aboutLeft(progress.expectedLeftMs);
  return {
    title: `Running: ${progress.phase}, ${how}`,
    summary: `**${progress.phase}**: ${progress.message}\n\n${line}\n\n${subject(job)}`,
  };
}

/** A job dispatched to GitHub Actions (executor: actions): its run, and how many shards are done. */
export function actionsProgressOutput(
  job: Job,
  run: Pick<ActionsRun, 'workflow' | 'htmlUrl' | 'shards' | 'done' | 'iterations'> & { status: string },
): CheckOutput {
  const where = run.htmlUrl ? `[workflow run](${run.htmlUrl})` : 'workflow run (not found yet)';
  const read = Object.values(run.iterations);
  const base = read.reduce((n, c) => n + c.base, 0);
  const head = read.reduce((n, c) => n + c.head, 0);
  const soFar = read.length > 0 ? ` · ${formatCount(base)} + ${formatCount(head)} iterations so far` : '';
  return {
    title: `On GitHub Actions: ${run.done} of ${run.shards} shards done${soFar}`,
    summary: [
      `Dispatched \`${run.workflow}\` to GitHub Actions: ${run.shards} shard jobs storm base and head; sigstorm merges`,
      `their blobs into one report when the ${where} completes (${run.status}).`,
      '',
      `${run.done} of ${run.shards} shards done.`,
      ...(read.length > 0
        ? [
            `The blobs of ${read.length} finished shards hold ${formatCount(base)} base and ${formatCount(head)} head iterations so far.`,
          ]
        : []),
      '',
      subject(job),
    ].join('\n'),
  };
}

export function cancelledOutput(job: Job, reason: string): CheckOutput {
  return { title: 'Cancelled', summary: `${reason}\n\n${subject(job)}` };
}

/** Back in the queue: the app crashed during `attempt`, or was shut down on purpose (not counted). */
export function restartedOutput(
  job: Job,
  why: { kind: 'crash'; attempt: number; maxAttempts: number } | { kind: 'shutdown' },
): CheckOutput {
  const what =
    why.kind === 'crash'
      ? `The sigstorm app stopped while this run was in progress (attempt ${why.attempt} of ${why.maxAttempts}).`
      : 'The sigstorm app was shut down while this run was in progress (this does not count as an attempt).';
  return {
    title: 'Restarted: queued again',
    summary: [what, 'The job is queued again and starts over when the app runs.', '', subject(job)].join(
      '\n',
    ),
  };
}

export function gaveUpOutput(job: Job, attempts: number): CheckOutput {
  return {
    title: `Gave up after ${attempts} attempts`,
    summary: [
      `The sigstorm app stopped during each of ${attempts} attempts at this run, so it is not retried again.`,
      'Look at the app host (memory, disk, crashes in its log), then ask for a new run with `/sigstorm rerun`.',
      '',
      subject(job),
    ].join('\n'),
  };
}

export function errorOutput(job: Job, error: unknown): CheckOutput {
  const text = describeError(error);
  const first = text.split('\n')[0] ?? 'unknown error';
  return {
    title: `sigstorm could not finish: ${first.slice(0, 120)}`,
    // A build log may hold secrets and a line of backticks: redacted, fenced longer than any run inside it.
    summary: `${subject(job)}\n\n${quotedUntrusted(text)}`,
  };
}

export function configErrorOutput(job: Job, problems: readonly ConfigProblem[]): CheckOutput {
  const first = problems[0];
  return {
    title: `Invalid ${first ? formatConfigProblem(first) : '.github/sigstorm.yml'}`.slice(0, 200),
    summary: [
      'The repository configuration `.github/sigstorm.yml` (read from the default branch) is invalid:',
      '',
      ...problems.map((p) => `- \`${formatConfigProblem(p)}\``),
      '',
      'Fix the file (fields: docs/github-app.md; editors can check it with schemas/sigstorm-config.schema.json),',
      'then ask for a new run with `/sigstorm rerun`.',
      '',
      subject(job),
    ].join('\n'),
  };
}

/** GitHub kept failing while the job ran or published: the last attempt is over. */
export function gitHubGaveUpOutput(job: Job, attempts: number, error: string): CheckOutput {
  return {
    title: `GitHub failed ${attempts} times: gave up`,
    summary: [
      `GitHub's API answered with errors during each of ${attempts} attempts at this job, so it is not retried again.`,
      job.result
        ? 'The validation itself finished; only publishing its result failed. `/sigstorm rerun` runs it again.'
        : 'Ask for a new run with `/sigstorm rerun` when GitHub is healthy again.',
      '',
      `Last error: \`${error.slice(0, 300).replace(/`/g, "'")}\``,
      '',
      subject(job),
    ].join('\n'),
  };
}

/** The repository's queue is at its cap: this job is not queued. */
export function queueFullOutput(job: Job, cap: number): CheckOutput {
  return {
    title: `Not queued: ${job.owner}/${job.repo} already has ${cap} jobs waiting`,
    summary: [
      `sigstorm queues at most ${cap} jobs per repository, so that one repository cannot hold up the others.`,
      'This commit was not queued. Ask again with `/sigstorm run` once the queue has shortened.',
      '',
      subject(job),
    ].join('\n'),
  };
}

/** The host has too little free disk for a run, even after the cache was trimmed to its budget. */
export function diskFullOutput(job: Job, free: string, needed: string): CheckOutput {
  return {
    title: `Not run: only ${free} free on the sigstorm host`,
    summary: [
      `A run needs at least ${needed} free in the cache directory; the host has ${free} after evicting old cache entries.`,
      'The host operator can free space, lower SIGSTORM_CACHE_BUDGET or SIGSTORM_MIN_FREE; then `/sigstorm rerun`.',
      '',
      subject(job),
    ].join('\n'),
  };
}

/** A job that ended while its check could not be updated: the check is completed later with this. */
export function endedOutput(job: Job): CheckOutput {
  const note = job.note ?? 'no reason recorded';
  switch (job.status) {
    case 'done':
      return { title: 'Finished', summary: `${note}\n\n${subject(job)}` };
    case 'cancelled':
      return cancelledOutput(job, note);
    case 'failed':
      // The note is the failure's cause, which may quote the pull request's build log.
      return {
        title: `sigstorm could not finish: ${note.split('\n')[0]?.slice(0, 120)}`,
        summary: `${quotedUntrusted(note)}\n\n${subject(job)}`,
      };
    case 'awaiting_approval':
    case 'queued':
    case 'running':
    case 'dispatched':
    case 'validated':
      throw new Error(`job ${job.id} has not ended (${job.status})`);
    default: {
      const never: never = job.status;
      throw new Error(`unknown job status ${String(never)}`);
    }
  }
}
