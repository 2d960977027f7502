import type { ApplicationFunction } from 'probot';
import { checkRunEvents, onCheckRun } from './handlers/check-run.js';
import { onIssueComment } from './handlers/issue-comment.js';
import { onPullRequest, onPullRequestClosed, pullRequestEvents } from './handlers/pull-request.js';
import { onPush, onReleasePublished } from './handlers/release.js';
import type { Services } from './services.js';

/**
 * The Probot app: each handler records a job (or answers a command) and returns within the
 * delivery's 10 seconds; the executor does the work. The events here are the ones app.yml subscribes to.
 */
export function sigstormApp(services: Services): ApplicationFunction {
  return (app) => {
    app.on([...pullRequestEvents], onPullRequest(services));
    app.on('pull_request.closed', onPullRequestClosed(services));
    app.on('issue_comment.created', onIssueComment(services));
    app.on([...checkRunEvents], onCheckRun(services));
    app.on('release.published', onReleasePublished(services));
    app.on('push', onPush(services));
  };
}
