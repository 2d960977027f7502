import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { maxIterations } from '../../config/repo-config.schema.js';
import { sandboxLimitsFromEnv } from '../../sandbox/limits-env.js';
import type { SandboxLimits } from '../../sandbox/sandbox.schema.js';
import { SigstormError, UsageError } from '../../util/errors.js';
import { cacheRoot } from '../../util/paths.js';
import { parseSize } from '../../util/size.js';
import type { AppSettings } from '../services.js';
import { readPrivateKey } from './private-key.js';

/** Everything `sigstorm serve` needs, read and checked once, before anything starts. */
export interface ServeSettings {
  readonly appId: number;
  readonly privateKey: string;
  readonly webhookSecret: string;
  readonly webhookPath: string;
  readonly port: number;
  readonly host: string | undefined;
  readonly logLevel: LogLevel;
  /** `https://api.github.com`, or `<GHE_PROTOCOL>://<GHE_HOST>/api/v3` for GitHub Enterprise Server. */
  readonly baseUrl: string;
  readonly dbPath: string;
  readonly app: AppSettings;
}

const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
type LogLevel = (typeof logLevels)[number];

const settingsUrl = "the GitHub App's settings page (Settings → Developer settings → GitHub Apps → your app)";

const RepoMap = z.record(
  z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'keys must be "owner/repo"'),
  z.string().min(1),
);

const Env = z.object({
  APP_ID: z
    .string({ error: `APP_ID is not set: set it to the numeric App ID shown on ${settingsUrl}.` })
    .regex(/^\d+$/, {
      error: (i) => `APP_ID must be the numeric App ID from ${settingsUrl}, not "${String(i.input)}".`,
    }),
  WEBHOOK_SECRET: z
    .string({ error: `WEBHOOK_SECRET is not set: set it to the webhook secret entered on ${settingsUrl}.` })
    .min(1, { error: `WEBHOOK_SECRET is empty: set it to the webhook secret entered on ${settingsUrl}.` }),
  WEBHOOK_PATH: z
    .string()
    .startsWith('/', { error: 'WEBHOOK_PATH must start with "/".' })
    .default('/api/github/webhooks'),
  PORT: z
    .string()
    .regex(/^\d+$/, { error: (i) => `PORT must be a port number, not "${String(i.input)}".` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, { error: 'PORT must be from 1 to 65535.' })
        .max(65535, { error: 'PORT must be from 1 to 65535.' }),
    )
    .default(3000),
  HOST: z.string().min(1).optional(),
  LOG_LEVEL: z
    .enum(logLevels, { error: `LOG_LEVEL must be one of ${logLevels.join(', ')}.` })
    .default('info'),
  GHE_HOST: z
    .string()
    .regex(/^[\w.-]+(:\d+)?$/, {
      error: (i) =>
        `GHE_HOST must be a host name with an optional port (github.example.com), not "${String(i.input)}".`,
    })
    .optional(),
  GHE_PROTOCOL: z
    .enum(['https', 'http'], { error: 'GHE_PROTOCOL must be https (or http).' })
    .default('https'),
  SIGSTORM_DB: z.string().min(1).optional(),
  SIGSTORM_REPO_MAP: z.string().optional(),
  SIGSTORM_ITERATIONS_CAP: intIn('SIGSTORM_ITERATIONS_CAP', 1, maxIterations).optional(),
  SIGSTORM_MAX_ATTEMPTS: intIn('SIGSTORM_MAX_ATTEMPTS', 1, 20).default(3),
  SIGSTORM_PROGRESS_INTERVAL_MS: intIn('SIGSTORM_PROGRESS_INTERVAL_MS', 0, 600_000).default(5000),
  SIGSTORM_POLL_INTERVAL_MS: intIn('SIGSTORM_POLL_INTERVAL_MS', 10, 600_000).default(2000),
  SIGSTORM_MAX_QUEUED_PER_REPO: intIn('SIGSTORM_MAX_QUEUED_PER_REPO', 1, 10_000).default(20),
  SIGSTORM_CACHE_BUDGET: size('SIGSTORM_CACHE_BUDGET').default(20 * 1024 ** 3),
  SIGSTORM_MIN_FREE: size('SIGSTORM_MIN_FREE').default(2 * 1024 ** 3),
  SIGSTORM_DELIVERY_ATTEMPTS: intIn('SIGSTORM_DELIVERY_ATTEMPTS', 1, 100).default(10),
  SIGSTORM_ACTIONS_POLL_INTERVAL_MS: intIn('SIGSTORM_ACTIONS_POLL_INTERVAL_MS', 100, 3_600_000).default(
    30_000,
  ),
  SIGSTORM_RECONCILE_INTERVAL_MS: intIn('SIGSTORM_RECONCILE_INTERVAL_MS', 0, 86_400_000).default(600_000),
  SIGSTORM_ACTIONS_DISPATCH_WAIT_MS: intIn('SIGSTORM_ACTIONS_DISPATCH_WAIT_MS', 100, 86_400_000).default(
    300_000,
  ),
  SIGSTORM_ACTIONS_DISPATCHES: intIn('SIGSTORM_ACTIONS_DISPATCHES', 1, 10).default(3),
});

function size(name: string) {
  return z.string().transform((text, ctx) => {
    const bytes = parseSize(text);
    if (bytes === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${name} must be a size like 20G, 512M or a byte count, not "${text}".`,
      });
      return z.NEVER;
    }
    return bytes;
  });
}

function intIn(name: string, min: number, max: number) {
  const message = `${name} must be a whole number from ${min} to ${max}.`;
  return z
    .string()
    .regex(/^\d+$/, { error: message })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: message }).max(max, { error: message }));
}

/**
 * Reads the Probot environment and sigstorm's own, reporting every setup mistake at once, each with
 * what to set (so an operator fixes them in one go rather than one restart per mistake).
 */
export function readServeEnv(env: NodeJS.ProcessEnv, cwd = process.cwd()): ServeSettings {
  // Empty variables count as unset, as they do for Probot.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const problems: string[] = [];
  const parsed = Env.safeParse(present);
  if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => issue.message));
  const key = readPrivateKey(env, cwd);
  if (!key.ok) problems.push(key.problem);
  const repoMap = parseRepoMap(present.SIGSTORM_REPO_MAP, cwd, problems);
  let limits: SandboxLimits | undefined;
  try {
    limits = sandboxLimitsFromEnv(present);
  } catch (error) {
    problems.push(
      error instanceof SigstormError ? `${error.message}\n${error.details ?? ''}`.trim() : String(error),
    );
  }
  if (!parsed.success || !key.ok || problems.length > 0) {
    throw new UsageError(`the GitHub App cannot start: ${problems.length} setup problem(s)`, {
      details: problems.map((p) => `- ${p}`).join('\n'),
      hint: 'Set the variables in the environment or in a .env file in the working directory (docs/github-app.md lists them).',
    });
  }
  const e = parsed.data;
  return {
    appId: Number(e.APP_ID),
    privateKey: key.pem,
    webhookSecret: e.WEBHOOK_SECRET,
    webhookPath: e.WEBHOOK_PATH,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    baseUrl: e.GHE_HOST ? `${e.GHE_PROTOCOL}://${e.GHE_HOST}/api/v3` : 'https://api.github.com',
    dbPath: resolve(cwd, e.SIGSTORM_DB ?? join(cacheRoot(env), 'app', 'jobs.sqlite')),
    app: {
      iterationsCap: e.SIGSTORM_ITERATIONS_CAP,
      repoMap,
      maxAttempts: e.SIGSTORM_MAX_ATTEMPTS,
      progressIntervalMs: e.SIGSTORM_PROGRESS_INTERVAL_MS,
      pollIntervalMs: e.SIGSTORM_POLL_INTERVAL_MS,
      sandboxLimits: limits,
      maxQueuedPerRepo: e.SIGSTORM_MAX_QUEUED_PER_REPO,
      cacheBudgetBytes: e.SIGSTORM_CACHE_BUDGET,
      minFreeBytes: e.SIGSTORM_MIN_FREE,
      deliveryAttempts: e.SIGSTORM_DELIVERY_ATTEMPTS,
      reconcileIntervalMs: e.SIGSTORM_RECONCILE_INTERVAL_MS,
      actionsPollIntervalMs: e.SIGSTORM_ACTIONS_POLL_INTERVAL_MS,
      actionsDispatchWaitMs: e.SIGSTORM_ACTIONS_DISPATCH_WAIT_MS,
      actionsDispatches: e.SIGSTORM_ACTIONS_DISPATCHES,
      cacheDir: cacheRoot(env),
    },
  };
}

/** SIGSTORM_REPO_MAP: JSON `{"owner/repo": "/path/to/git/repo"}` (tests and offline mirrors only). */
function parseRepoMap(text: string | undefined, cwd: string, problems: string[]): Map<string, string> {
  const map = new Map<string, string>();
  if (text === undefined) return map;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    problems.push(`SIGSTORM_REPO_MAP is not JSON (${String(error)}): write {"owner/repo": "/path/to/repo"}.`);
    return map;
  }
  const result = RepoMap.safeParse(json);
  if (!result.success) {
    problems.push(
      `SIGSTORM_REPO_MAP: ${result.error.issues.map((i) => i.message).join('; ')}: write {"owner/repo": "/path/to/repo"}.`,
    );
    return map;
  }
  for (const [repo, path] of Object.entries(result.data)) {
    const local = resolve(cwd, path);
    if (!existsSync(local) || !statSync(local).isDirectory()) {
      problems.push(
        `SIGSTORM_REPO_MAP: ${repo} maps to ${local}, which is not a directory: give a local git repository.`,
      );
    }
    map.set(repo, local);
  }
  return map;
}
