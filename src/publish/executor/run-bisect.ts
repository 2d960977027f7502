import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepoConfig } from '../../config/repo-config.schema.js';
import type { BisectRequest } from '../../pipeline/bisect/contract.js';
import type { ValidateProgress } from '../../pipeline/request/contract.js';
import { profiles } from '../../pipeline/request/profiles.js';
import type { BisectResult } from '../../report/bisect/bisect-result.schema.js';
import { renderBisect } from '../../report/bisect/render-bisect.js';
import { defaultSandboxLimits } from '../../sandbox/sandbox.schema.js';
import { bisectProgressOutput, startingOutput } from '../messages/check-outputs.js';
import { type StoredResult, shortSha } from '../store/job.js';
import { progressReporter } from './progress-reporter.js';
import { PipelineFailure, type Run } from './run.js';
import { redactCredentials } from './source.js';

/**
 * A bisection job (docs/bisect.md, "In the App"): the pull request's commits in `repo` (the clone
 * source) from the good point
 * (the parent of its first commit) to its head, on the job's cells, with the repository's α and β;
 * its steps and storms on the check run as they go. The result is kept before publishing, as a
 * validation's is: the answer's Markdown section for the report comment and the check.
 */
export async function bisectPullRequest(run: Run, config: RepoConfig, repo: string): Promise<StoredResult> {
  const { services, job, log } = run;
  await run.check({ status: 'in_progress', started: true, output: startingOutput(job) });
  const outDir = join(
    services.settings.cacheDir,
    'runs',
    `bisect-${job.owner}-${job.repo}-${job.pullNumber ?? 0}-${shortSha(job.headSha)}-job${job.id}-${job.attempts}`,
  );
  const { workloads = [], variants = config.variants ?? profiles.pr.variants, observedRise } = job.options;
  const request: BisectRequest = {
    series: { kind: 'commits', repo, good: job.baseSha, bad: job.headSha },
    workloads,
    variants,
    ...(observedRise ? { observedRise } : {}),
    alpha: config.thresholds.stability.alpha,
    beta: config.thresholds.stability.beta,
    outDir,
    // A pull request's code runs only in a sandbox, whatever the job or the config asks.
    sandbox: { kind: 'bwrap', limits: services.settings.sandboxLimits ?? defaultSandboxLimits },
  };
  log.info({ request: redactCredentials(JSON.stringify(request)) }, 'sigstorm: bisecting');
  const steps: string[] = [];
  let latest: ValidateProgress | undefined;
  // Its phase: the step and the step's phase, so that a new step shows at once, storms at the reporter's pace.
  const phase = () => `step ${steps.length}: ${latest?.phase ?? 'start'}`;
  const reporter = progressReporter<{ readonly phase: string }>(
    () => run.check({ status: 'in_progress', output: bisectProgressOutput(job, steps, latest) }),
    {
      intervalMs: services.settings.progressIntervalMs,
      onError: (error) => log.warn({ err: error }, 'sigstorm: progress update failed'),
    },
  );
  let result: BisectResult;
  try {
    result = await services.bisect(request, {
      signal: run.signal,
      onStep: (line) => {
        steps.push(redactCredentials(line));
        reporter.push({ phase: phase() });
      },
      onProgress: (progress) => {
        latest = progress;
        reporter.push({ phase: phase() });
      },
    });
  } catch (error) {
    throw new PipelineFailure(error);
  } finally {
    await reporter.close();
  }
  const markdown = redactCredentials(renderBisect(result));
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'bisect.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(outDir, 'bisect.md'), markdown);
  const stored: StoredResult = {
    // The answer informs; the validation's check is the one that gates.
    conclusion: 'neutral',
    headline: redactCredentials(result.headline),
    markdown,
    outDir,
    comment: config.comment === 'never' ? 'none' : 'write',
    annotations: [],
    regressedCells: null,
  };
  services.store.saveResult(job.id, stored);
  log.info({ answer: result.answer.kind, outDir }, 'sigstorm: bisection finished');
  return stored;
}
