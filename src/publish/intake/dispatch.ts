import { Context, type Logger } from 'probot';
import type { Octokit } from '../github/octokit.js';
import { checkRunEvents, onCheckRun } from '../handlers/check-run.js';
import { onIssueComment } from '../handlers/issue-comment.js';
import { onPullRequest, onPullRequestClosed, pullRequestEvents } from '../handlers/pull-request.js';
import { onPush, onReleasePublished } from '../handlers/release.js';
import { onWorkflowEvent, workflowEvents } from '../handlers/workflow-run.js';
import type { Services } from '../services.js';
import type { StoredDelivery } from '../store/delivery-store.js';

// biome-ignore lint/suspicious/noExplicitAny: each handler takes the Context of its own events; the table pairs them.
type Handler = (context: any) => Promise<void>;

/** The events app.yml subscribes to, and who handles each (`name.action`, or `name` for every action). */
const routeTable: Readonly<Record<string, (services: Services) => Handler>> = {
  ...Object.fromEntries(pullRequestEvents.map((event) => [event, onPullRequest])),
  'pull_request.closed': onPullRequestClosed,
  'issue_comment.created': onIssueComment,
  ...Object.fromEntries(checkRunEvents.map((event) => [event, onCheckRun])),
  'release.published': onReleasePublished,
  push: onPush,
  ...Object.fromEntries(workflowEvents.map((event) => [event, onWorkflowEvent])),
};

function routeKeys(name: string, payload: unknown): string[] {
  const action =
    typeof payload === 'object' && payload !== null && 'action' in payload
      ? String(payload.action)
      : undefined;
  return action === undefined ? [name] : [`${name}.${action}`, name];
}

function routeOf(name: string, payload: unknown): ((services: Services) => Handler) | undefined {
  return routeKeys(name, payload)
    .map((key) => routeTable[key])
    .find((route) => route !== undefined);
}

/** Whether the app handles this event at all (others are not stored). */
export function isHandled(name: string, payload: unknown): boolean {
  return routeOf(name, payload) !== undefined;
}

/**
 * Runs the handler of a stored delivery with a Probot context authenticated as the delivery's
 * installation, as Probot would have; a handler's error is the caller's (it retries the delivery).
 */
export function dispatcher(
  services: () => Services,
  auth: (installationId: number) => Promise<Octokit>,
  log: Logger,
): (delivery: StoredDelivery) => Promise<void> {
  return async (delivery) => {
    const route = routeOf(delivery.name, delivery.payload);
    if (!route) return;
    const handler = route(services());
    const installationId = installationOf(delivery.payload);
    if (installationId === undefined) {
      log.warn(
        { delivery: delivery.id },
        'sigstorm: a delivery without an installation; is this a GitHub App webhook?',
      );
      return;
    }
    const octokit = await auth(installationId);
    const event = { id: delivery.id, name: delivery.name, payload: delivery.payload };
    // biome-ignore lint/suspicious/noExplicitAny: the stored payload is the one Probot verified and typed on receipt.
    await handler(new Context(event as any, octokit, log.child({ id: delivery.id, name: delivery.name })));
  };
}

function installationOf(payload: unknown): number | undefined {
  if (typeof payload !== 'object' || payload === null || !('installation' in payload)) return undefined;
  const installation = payload.installation;
  if (typeof installation !== 'object' || installation === null || !('id' in installation)) return undefined;
  return typeof installation.id === 'number' ? installation.id : undefined;
}
