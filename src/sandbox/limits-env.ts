import { SigstormError, UsageError } from '../util/errors.js';
import { sandboxHostIdFromEnv } from './host-identity.js';
import { SandboxLimits, sandboxLimitVariables } from './sandbox.schema.js';

/**
 * The sandbox limits from SIGSTORM_SANDBOX_* (each unset one keeps its default), and a check of
 * SIGSTORM_SANDBOX_UID (read where the sandbox starts, see host-identity.ts); every mistake at once.
 */
export function sandboxLimitsFromEnv(env: NodeJS.ProcessEnv): SandboxLimits {
  const raw: Record<string, number> = {};
  const problems: string[] = [];
  for (const [field, name] of Object.entries(sandboxLimitVariables)) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    if (!/^\d+$/.test(text)) problems.push(`${name} must be a whole number, not "${text}".`);
    else raw[field] = Number(text);
  }
  try {
    // Not a limit, but the sandbox's setting too: checked at the same start, with the same report.
    sandboxHostIdFromEnv(env);
  } catch (error) {
    if (!(error instanceof SigstormError)) throw error;
    problems.push(error.details?.replace(/^- /gm, '') ?? error.message);
  }
  const parsed = SandboxLimits.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0]) as keyof typeof sandboxLimitVariables;
      problems.push(`${sandboxLimitVariables[field] ?? field}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw new UsageError('Invalid sandbox limits in the environment.', {
      details: problems.map((p) => `- ${p}`).join('\n'),
      hint: 'Fix or unset the SIGSTORM_SANDBOX_* variables (docs/security.md lists them and their defaults).',
    });
  }
  return parsed.data;
}
