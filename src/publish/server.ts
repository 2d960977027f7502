import Bottleneck from 'bottleneck';
import pino from 'pino';
import { Probot, ProbotOctokit, Server } from 'probot';
import type { Bisect } from '../pipeline/bisect/contract.js';
import type { Validate } from '../pipeline/request/contract.js';
import { ActionsFollower } from './actions/follow-runs.js';
import { sigstormApp } from './app.js';
import type { RetryTiming } from './executor/backoff.js';
import { Executor } from './executor/executor.js';
import { prepareCache } from './executor/prepare-cache.js';
import { CheckRepair, recoverInterrupted } from './executor/recovery.js';
import { runJob } from './executor/run-job.js';
import { runWarmBase } from './executor/run-warm-base.js';
import { DeliveryProcessor } from './intake/delivery-processor.js';
import { dispatcher } from './intake/dispatch.js';
import { Reconciler } from './intake/reconcile.js';
import { knownStormWorkloads } from './known-workloads.js';
import { registerSecret } from './messages/redact.js';
import type { Services } from './services.js';
import type { ServeSettings } from './setup/serve-env.js';
import { JobStore } from './store/job-store.js';

export interface RunningApp {
  readonly port: number;
  /** Stops taking webhooks, stops the executor (a running job goes back to the queue), closes the store. */
  readonly stop: () => Promise<void>;
}

/**
 * Starts the app: job store, recovery of jobs a previous process left running, the Probot HTTP
 * server, then the executor. `validate` and `bisect` are the pipeline (the real ones from `sigstorm
 * serve`; tests give scripted ones).
 */
export async function startApp(
  settings: ServeSettings,
  validate: Validate,
  bisect: Bisect,
): Promise<RunningApp> {
  // Whatever a pull request's code prints, these never reach a comment, a check run or the log.
  registerSecret(settings.webhookSecret);
  registerSecret(settings.privateKey);
  const log = pino({ name: 'sigstorm', level: settings.logLevel });
  const store = new JobStore(settings.dbPath);
  store.warmBases.recover();
  let services: Services | undefined;
  const need = (): Services => {
    if (!services) throw new Error('the app is not loaded yet');
    return services;
  };
  const repair = new CheckRepair(need);
  const reconciler = new Reconciler(need);
  const executor = new Executor(
    need,
    async (job, signal) => {
      // Publishing only (the validation's result is kept) needs no room for a new run.
      if (job.result === null) await prepareCache(need());
      await runJob(need(), job, signal);
    },
    async () => {
      await repair.run();
      await reconciler.runIfDue();
    },
    async (signal) => {
      // Background work: the base of the default branch's newest commits, when no job waits.
      const warm = store.warmBases.claimNext();
      if (!warm) return false;
      await runWarmBase(need(), warm, signal);
      return true;
    },
  );
  const follower = new ActionsFollower(need);
  let processor: DeliveryProcessor | undefined;
  const server = new Server({
    Probot: Probot.defaults({
      appId: settings.appId,
      privateKey: settings.privateKey,
      secret: settings.webhookSecret,
      baseUrl: settings.baseUrl,
      log,
      ...(settings.app.retry ? { Octokit: octokitWith(settings.app.retry) } : {}),
    }),
    port: settings.port,
    ...(settings.host ? { host: settings.host } : {}),
    webhookPath: settings.webhookPath,
    log,
  });
  await server.load((app) => {
    services = {
      store,
      validate,
      bisect,
      settings: settings.app,
      log,
      auth: (installationId) => app.auth(installationId),
      knownWorkloads: knownStormWorkloads(),
      executor,
      actions: follower,
    };
    processor = new DeliveryProcessor(
      need,
      dispatcher(need, (id) => app.auth(id), log),
    );
    const wake = processor;
    return sigstormApp(services, () => wake.notify())(app, { cwd: process.cwd(), addHandler: () => {} });
  });
  await recoverInterrupted(need());
  await server.start();
  // Deliveries stored by an earlier process and not processed yet are taken up now.
  processor?.start();
  executor.start();
  // Jobs dispatched to GitHub Actions by an earlier process are followed again (by polling).
  follower.start();
  log.info(
    { port: server.port, api: settings.baseUrl, db: settings.dbPath, webhookPath: settings.webhookPath },
    'sigstorm: app ready',
  );
  return {
    port: server.port,
    async stop() {
      await server.stop();
      await processor?.stop();
      await executor.stop();
      await follower.stop();
      store.close();
    },
  };
}

/**
 * Probot's Octokit with its retry and rate-limit waits, and its spacing of writes (one at a time, a
 * second apart; three for writes that notify), in `retry.secondMs` units (seconds by default).
 */
function octokitWith(retry: RetryTiming): typeof ProbotOctokit {
  // The throttling plugin's own limiter groups (Bottleneck, as it makes them) at the shorter unit; one
  // per App process, shared by all its Octokit instances, as the plugin's are.
  const spaced = (ms: number) => new Bottleneck.Group({ maxConcurrent: 1, minTime: ms });
  const write = spaced(retry.secondMs);
  const notifications = spaced(3 * retry.secondMs);
  // A function, not an object: Probot's own defaults (its rate-limit handlers) come as the instance's
  // `throttle`, which would replace an object's `throttle` whole; these are merged into it.
  return ProbotOctokit.defaults((options: ConstructorParameters<typeof ProbotOctokit>[0] = {}) => ({
    ...options,
    retry: { ...options.retry, retryAfterBaseValue: retry.secondMs },
    throttle: { ...options.throttle, retryAfterBaseValue: retry.secondMs, write, notifications },
  }));
}
