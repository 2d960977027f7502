import { annotationsPerRequest } from '../../report/annotations.js';
import { actionIds, updateCheckRun } from '../github/check-run.js';
import { httpStatus, type Octokit } from '../github/octokit.js';
import { upsertReportComment, upsertReportSection } from '../github/report-comment.js';
import { bisectCommitRange } from '../jobs/bisect-job.js';
import { bisectSection, bisectSectionMarkers, reportComment } from '../messages/report-comment-body.js';
import type { Services } from '../services.js';
import type { Job, StoredResult } from '../store/job.js';

/**
 * Publishes a kept validation result: the report comment first (as the config's `comment` allows), so the check's end is the last
 * word, then the completed check, then the job is done. Safe to repeat after a failure at any step
 * (the comment is found by its marker and edited), so a failed publish retries only this.
 */
export async function publishResult(
  services: Services,
  octokit: Octokit,
  job: Job,
  result: StoredResult,
): Promise<void> {
  if (job.kind === 'bisect') {
    await publishBisection(services, octokit, job, result);
    return;
  }
  // The repository's `comment` setting, decided with the verdict; the check below always has the report.
  if (job.pullNumber !== null && result.comment !== 'none') {
    await upsertReportComment(
      octokit,
      { owner: job.owner, repo: job.repo, pullNumber: job.pullNumber },
      reportComment(job, result.markdown),
      { create: result.comment === 'write' },
    );
  }
  // Findings at source lines, most severe first: GitHub takes 50 annotations per request and adds
  // each request's to the run's.
  const batches: (typeof result.annotations)[] = [];
  for (let i = 0; i < result.annotations.length; i += annotationsPerRequest)
    batches.push(result.annotations.slice(i, i + annotationsPerRequest));
  const output = { title: result.headline, summary: result.markdown };
  await updateCheckRun(octokit, job, {
    status: 'completed',
    conclusion: result.conclusion,
    output: { ...output, annotations: batches[0] ?? [] },
    actions: [
      {
        label: '10× iterations',
        description: 'Run again with ten times the iterations',
        identifier: actionIds.moreIterations,
      },
      ...((await offersBisect(octokit, job, result))
        ? [
            {
              label: 'Bisect',
              description: 'Find the commit that brought it',
              identifier: actionIds.bisect,
            },
          ]
        : []),
    ],
  });
  for (const batch of batches.slice(1)) {
    await updateCheckRun(octokit, job, {
      status: 'completed',
      conclusion: result.conclusion,
      output: { ...output, annotations: batch },
    });
  }
  services.store.markCheckFinal(job.id);
  services.store.transition(job.id, ['running'], 'done', {
    conclusion: result.conclusion,
    note: result.outDir,
  });
}

/**
 * A pull request's validation that found a stability regression offers the Bisect button when the
 * pull request has 2 to 32 commits (check-run.ts handles it).
 */
async function offersBisect(octokit: Octokit, job: Job, result: StoredResult): Promise<boolean> {
  if (job.kind !== 'pull_request' || job.pullNumber === null || !result.regressedCells) return false;
  try {
    const { data } = await octokit.rest.pulls.get({
      owner: job.owner,
      repo: job.repo,
      pull_number: job.pullNumber,
    });
    return data.commits >= bisectCommitRange.min && data.commits <= bisectCommitRange.max;
  } catch (error) {
    // The pull request is gone (deleted, or the App lost access): no button; any other failure is retried.
    if (httpStatus(error) === 404) return false;
    throw error;
  }
}

/**
 * A bisection's answer: its section of the report comment (the validation's report stays above it),
 * then its own check completed with the same Markdown; then the job is done.
 */
async function publishBisection(
  services: Services,
  octokit: Octokit,
  job: Job,
  result: StoredResult,
): Promise<void> {
  if (job.pullNumber !== null && result.comment !== 'none') {
    await upsertReportSection(
      octokit,
      { owner: job.owner, repo: job.repo, pullNumber: job.pullNumber },
      bisectSectionMarkers,
      bisectSection(job, result.markdown),
    );
  }
  await updateCheckRun(octokit, job, {
    status: 'completed',
    conclusion: result.conclusion,
    output: { title: result.headline, summary: result.markdown },
  });
  services.store.markCheckFinal(job.id);
  services.store.transition(job.id, ['running'], 'done', {
    conclusion: result.conclusion,
    note: result.outDir,
  });
}
