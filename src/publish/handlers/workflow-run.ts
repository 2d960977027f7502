import type { Services } from '../services.js';

/** The Actions events the App follows its dispatched runs by (app.yml subscribes to both). */
export const workflowEvents = ['workflow_run', 'workflow_job'] as const;

/**
 * A workflow run or one of its jobs changed: if the App has a job dispatched to GitHub Actions, the
 * follower looks now instead of at its next poll. The event is only a wake-up: the follower reads
 * the run's state from the API itself, so events of other workflows cost one look at most.
 */
export function onWorkflowEvent(services: Services) {
  return async (): Promise<void> => {
    if (services.store.withStatus('dispatched').length > 0) services.actions.notify();
  };
}
