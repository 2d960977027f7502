import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execa, type ResultPromise } from 'execa';
import { installRoot } from '../../../src/util/paths.js';
import { ActionsModel } from '../../support/github-standin/actions.js';
import { AppAuth } from '../../support/github-standin/auth.js';
import { GitHubModel, type RepoState } from '../../support/github-standin/model.js';
import { sharedOpenApi } from '../../support/github-standin/openapi.js';
import { GitHubStandIn } from '../../support/github-standin/standin.js';
import { type Delivery, deliver, type EventName } from '../../support/github-standin/webhooks.js';
import { actionsRunnerBundle } from '../../support/test-bundle.js';
import { AppProcess, scriptedServe, sigstormServe } from './app-process.js';
import { createFixtureRepo, type FixtureRepo } from './fixture-repo.js';
import { pullRequestPayload, type Where } from './payloads.js';
import type { BisectScript } from './scripted-bisect.js';
import type { ScriptedOutcome, ValidationScript } from './scripted-validate.js';

export const appId = 4242;
export const installationId = 77;
export const repoName = 'octo-org/iperf3-fork';
export const maintainer = 'maya-maintainer';
export const outsider = 'oscar-outsider';
export const webhookSecret = 'stand-in webhook secret';
/**
 * Short but real storms: one workload, the plain build, a few iterations (the repository config
 * below), and a host-wide cap for commands that ask for more (`/sigstorm run iterations=200`).
 */
export const testRepoConfig = [
  'workloads: [server-burst]',
  'variants: [plain]',
  'iterations: 8',
  // Throughput is measured by its own tests (and in the pull-request test here): skipped elsewhere.
  'throughputRuns: 0',
  'release:',
  '  workloads: [server-burst]',
  '  variants: [plain]',
  '  throughputRuns: 0',
  '',
].join('\n');
export const testEnv: Record<string, string> = { SIGSTORM_ITERATIONS_CAP: '8' };

/**
 * What validates in the test's App: `storms`, the real pipeline (`sigstorm serve`: builds and storms,
 * production waits); or a script (scripted-validate.ts), where the storm is not what the test tests:
 * every validation returns the report of `outcome` after `ms`, retry waits are short.
 */
export type Validation =
  | 'storms'
  | {
      readonly outcome: ScriptedOutcome;
      /** A list: the n-th validation takes the n-th (the last: every later one), restarts included. */
      readonly ms: number | readonly number[];
      readonly byHead?: Record<string, ScriptedOutcome>;
    };

/** How long a scripted validation runs when the test waits for it to finish. */
export const shortMs = 300;
/** How long a scripted validation runs when the test stops, cancels or kills it first: an hour. */
export const untilStoppedMs = 3_600_000;

/**
 * The scripted validation of most App tests: an inconclusive report (what the real short run under
 * the test config concludes, expectations.ts `shortRunConclusion`) after 0.3 s.
 */
export const scriptedShortRun = { outcome: 'inconclusive', ms: shortMs } as const satisfies Validation;

/** A scripted validation that runs until the job is stopped or cancelled (for the cancel tests). */
export const scriptedUntilStopped = {
  outcome: 'inconclusive',
  ms: untilStoppedMs,
} as const satisfies Validation;

/**
 * Retry waits of the scripted App: 20 ms doubling to at most 0.2 s; one second of Retry-After, of
 * Octokit's retry unit and of its spacing of writes: 20 ms.
 */
export const shortRetries = { baseMs: 20, maxMs: 200, secondMs: 20 } as const;

/**
 * How long the scripted App must make no request for a test to take it as settled: longer than its
 * longest retry wait and its poll interval (`settle`).
 */
export const scriptedQuietMs = 700;
/** The same for `sigstorm serve` on production waits (a write a second, retries of seconds). */
export const stormsQuietMs = 1500;

/** The build and storm cache every test shares (builds of the subject are reused across files). */
export const testCacheDir = join(installRoot, '.sigstorm', 'test-cache');

let keys: { publicKey: string; privateKey: string } | undefined;
/** The App's key pair, generated once per test file (a 2048-bit RSA key takes a while). */
function appKeys() {
  keys ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return keys;
}

/**
 * One test's world: a GitHub stand-in (on the GHE path /api/v3) with the test's repository, a local
 * git repository behind it, and `sigstorm serve` as a real process pointed at both. Keys are
 * generated here (once per file); nothing secret is committed.
 */
export class Harness {
  readonly standin: GitHubStandIn;
  readonly model: GitHubModel;
  readonly repo: RepoState;
  readonly fixture: FixtureRepo;
  readonly where: Where = { repo: repoName, installationId };
  /** GitHub Actions of the stand-in: workflows, runs, runner jobs, artifacts. */
  readonly actions: ActionsModel;
  /** Stand-in deliveries (workflow_run / workflow_job) the App did not take (it was down): GitHub keeps them as failed. */
  readonly failedDeliveries: string[] = [];
  /** How long this App must make no request to count as settled (`settle`'s default). */
  readonly quietMs: number;
  readonly #dir: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #command: readonly string[];
  #app: AppProcess | undefined;
  readonly #runners: ResultPromise<{ all: true; reject: false; detached: true }>[] = [];
  readonly #runnerOutput: string[] = [];

  private constructor(
    dir: string,
    standin: GitHubStandIn,
    model: GitHubModel,
    actions: ActionsModel,
    fixture: FixtureRepo,
    env: NodeJS.ProcessEnv,
    command: readonly string[],
  ) {
    this.#dir = dir;
    this.#command = command;
    // A test may poll Actions runs less often than the scripted App polls its queue: longer than that too.
    const actionsPollMs = Number(env.SIGSTORM_ACTIONS_POLL_INTERVAL_MS ?? 0);
    this.quietMs = command === sigstormServe ? stormsQuietMs : Math.max(scriptedQuietMs, actionsPollMs + 300);
    this.actions = actions;
    // GitHub sends the events of a run to the App's webhook; a delivery to an App that is down fails.
    actions.onEvent = (event, payload) => {
      if (!this.#app || this.#app.exited) {
        this.failedDeliveries.push(event);
        return;
      }
      this.deliverOnly(event, payload).catch((error: unknown) =>
        this.failedDeliveries.push(`${event}: ${String(error)}`),
      );
    };
    this.standin = standin;
    this.model = model;
    this.fixture = fixture;
    this.#env = env;
    this.repo = model.addRepo(repoName);
    this.repo.collaborators.set(maintainer, 'maintain');
    this.repo.config = testRepoConfig;
    model.installations.add(installationId);
  }

  /** `bisection`: the scripted App's bisection (scripted-bisect.ts); absent, a bisection fails saying none is scripted. */
  static async create(
    extraEnv: Record<string, string> = {},
    validation: Validation = scriptedShortRun,
    bisection?: Omit<BisectScript, 'log'>,
  ): Promise<Harness> {
    const dir = await mkdtemp(join(tmpdir(), 'sigstorm-app-test-'));
    try {
      return await Harness.#createIn(dir, extraEnv, validation, bisection);
    } catch (error) {
      // Nothing of a world that could not be made is left behind.
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  static async #createIn(
    dir: string,
    extraEnv: Record<string, string>,
    validation: Validation,
    bisection: Omit<BisectScript, 'log'> | undefined,
  ): Promise<Harness> {
    // First: nothing to close yet if the bundle cannot be built.
    const command = validation === 'storms' ? sigstormServe : await scriptedServe();
    const { publicKey, privateKey } = appKeys();
    const auth = new AppAuth(appId, publicKey);
    const model = new GitHubModel(sharedOpenApi(), auth);
    const actions = new ActionsModel(sharedOpenApi(), () => installationId);
    const standin = await GitHubStandIn.start({
      auth,
      handlers: { ...model.handlers(), ...actions.handlers() },
      prefix: '/api/v3',
      routes: (method, path, body) => actions.route(method, path, body),
    });
    const fixture = await createFixtureRepo(join(dir, 'fork')).catch(async (error: unknown) => {
      await standin.close();
      throw error;
    });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      APP_ID: String(appId),
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: webhookSecret,
      GHE_HOST: standin.host,
      GHE_PROTOCOL: 'http',
      LOG_LEVEL: 'info',
      SIGSTORM_DB: join(dir, 'jobs.sqlite'),
      SIGSTORM_CACHE_DIR: testCacheDir,
      SIGSTORM_REPO_MAP: JSON.stringify({ [repoName]: fixture.path }),
      SIGSTORM_PROGRESS_INTERVAL_MS: '500',
      SIGSTORM_POLL_INTERVAL_MS: '200',
      ...extraEnv,
    };
    if (validation === 'storms') return new Harness(dir, standin, model, actions, fixture, env, command);
    const script: ValidationScript = { ...validation, log: join(dir, 'validations.jsonl') };
    env.SIGSTORM_TEST_SCRIPT = JSON.stringify(script);
    if (bisection) {
      const bisect: BisectScript = { ...bisection, log: join(dir, 'bisections.jsonl') };
      env.SIGSTORM_TEST_BISECT = JSON.stringify(bisect);
    }
    env.SIGSTORM_TEST_RETRY = JSON.stringify(shortRetries);
    return new Harness(dir, standin, model, actions, fixture, env, command);
  }

  get app(): AppProcess {
    if (!this.#app) throw new Error('the app is not started');
    return this.#app;
  }

  async startApp(): Promise<AppProcess> {
    this.#app = await AppProcess.start(this.#env, this.#dir, this.#command);
    return this.#app;
  }

  /**
   * Delivers and waits until the app has processed the delivery from its store (deliveries are
   * answered before they are processed), so the test sees what the handler did.
   */
  async deliver(event: EventName, payload: object, id?: string, timeoutMs = 60_000): Promise<Delivery> {
    const delivery = await this.deliverOnly(event, payload, id);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = this.deliveryState(delivery.id);
      // Not stored: an event the app does not handle.
      if (state === undefined || state.status !== 'pending') return delivery;
      if (Date.now() > deadline) {
        throw new Error(
          `delivery ${delivery.id} (${event}) still pending after ${timeoutMs} ms: ${state.note}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Delivers and returns as soon as the app answered (the delivery may not be processed yet). */
  deliverOnly(event: EventName, payload: object, id?: string): Promise<Delivery> {
    return deliver(this.app.webhookUrl, webhookSecret, event, payload, id);
  }

  /** The stored delivery's state, read from the app's store (undefined: never stored). */
  deliveryState(id: string): { status: string; attempts: number; note: string | null } | undefined {
    const db = new Database(this.dbPath, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      return db.prepare('SELECT status, attempts, note FROM deliveries WHERE id = ?').get(id) as
        | { status: string; attempts: number; note: string | null }
        | undefined;
    } finally {
      db.close();
    }
  }

  /** The scripted validations run so far (head commit, outcome), oldest first; [] before the first. */
  async validations(): Promise<{ head: string; outcome: ScriptedOutcome }[]> {
    const text = await readFile(join(this.#dir, 'validations.jsonl'), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }

  /** The scripted bisections started so far (what each was asked), oldest first. */
  async bisections(): Promise<
    {
      series: { kind: string; good: string; bad: string };
      workloads: string[];
      variants: string[];
      observedRise: Record<string, number> | null;
    }[]
  > {
    const text = await readFile(join(this.#dir, 'bisections.jsonl'), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }

  /** Waits until `count` scripted bisections have started. */
  async waitForBisections(count: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.bisections()).length < count) {
      if (Date.now() > deadline)
        throw new Error(`fewer than ${count} bisections started within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits until `count` scripted validations have started (the validation is running, not just its job). */
  async waitForValidations(count: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.validations()).length < count) {
      if (Date.now() > deadline)
        throw new Error(`fewer than ${count} validations started within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Reads the app's job store (read-only), e.g. to count jobs by status. */
  query<T>(sql: string, ...params: unknown[]): T[] {
    const db = new Database(this.dbPath, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }

  get dbPath(): string {
    return join(this.#dir, 'jobs.sqlite');
  }

  /**
   * Waits until the app has made no request for `quietMs` (it finished reacting to the last delivery);
   * by default the App's own quiet time (`quietMs`: the scripted App's waits are short).
   */
  async settle(quietMs = this.quietMs, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen = -1;
    let since = Date.now();
    while (Date.now() < deadline) {
      const count = this.standin.calls.length;
      if (count !== seen) {
        seen = count;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the app kept calling GitHub; it did not settle');
  }

  /**
   * A maintainer opens pull request `number` at `headSha` against the fixture's base; resolves with
   * its completed check once the app has settled. The default bound allows a cold build cache.
   */
  async runPull(number: number, headSha: string, timeoutMs = 240_000) {
    await this.deliver(
      'pull_request',
      pullRequestPayload('opened', this.where, {
        number,
        headSha,
        baseSha: this.fixture.baseSha,
        author: maintainer,
      }),
    );
    const done = await this.standin.waitFor(
      'the run to complete',
      () => this.checkRuns().find((c) => c.headSha === headSha && c.status === 'completed'),
      timeoutMs,
    );
    await this.settle();
    return done;
  }

  /**
   * Starts the test runner process (test/support/actions-runner.ts, bundled: test-bundle.ts), which
   * plays the Actions runners: real `sigstorm validate --shard` processes for the stand-in's shard
   * jobs. `args`: its fault flags. Called again: one more runner machine, taking jobs beside the first.
   */
  async startRunner(args: readonly string[] = []): Promise<void> {
    const runner = execa(
      'node',
      [
        await actionsRunnerBundle(),
        '--standin',
        `http://${this.standin.host}`,
        '--repo-map',
        JSON.stringify({ [repoName]: this.fixture.path }),
        ...args,
      ],
      {
        cwd: installRoot,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, SIGSTORM_CACHE_DIR: testCacheDir },
        extendEnv: false,
        all: true,
        reject: false,
        detached: true,
      },
    );
    runner.all.on('data', (chunk: Buffer) => this.#runnerOutput.push(chunk.toString('utf8')));
    this.#runners.push(runner);
  }

  /** What the runner process printed so far (for failure messages). */
  get runnerOutput(): string {
    return this.#runnerOutput.join('');
  }

  /** The check runs the app created, oldest first. */
  checkRuns(name = 'sigstorm') {
    return this.model.checkRunsOf(repoName, name);
  }

  async close(): Promise<void> {
    for (const runner of this.#runners) {
      if (runner.pid === undefined) continue;
      runner.kill('SIGTERM');
      await runner;
      try {
        // The runner's sigstorm processes (and their storms), by process group.
        process.kill(-(runner.pid ?? 0), 'SIGKILL');
      } catch {
        // The group is already empty.
      }
    }
    if (this.#app && !this.#app.exited) await this.#app.kill('SIGTERM');
    this.#app?.killGroup();
    await this.standin.close();
    await rm(this.#dir, { recursive: true, force: true });
  }
}
