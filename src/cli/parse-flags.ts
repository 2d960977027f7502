import type { Command } from 'commander';
import { z } from 'zod';
import { type VariantName, variantNames } from '../compile/variants.js';
import { UsageError } from '../util/errors.js';

/** Validates a command's flags as commander hands them over; the first problem becomes a usage error. */
export function parseFlags<S extends z.ZodType>(schema: S, raw: unknown, command: string): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new UsageError(issue?.message ?? parsed.error.message, {
    hint: `Run \`sigstorm ${command} --help\` for the options and examples.`,
  });
}

/** A comma-separated flag; an empty list (`--patches ","`) is an error, never "all" or "none". */
export const listFlag = (flag: string) =>
  z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    )
    .refine((items) => items.length > 0, { error: `${flag} is an empty list: name at least one` });

/** A list of build variants; the unknown ones are named together with the valid ones. */
export const variantsFlag = (flag: string) =>
  listFlag(flag).transform((names, context): VariantName[] => {
    const valid: readonly string[] = variantNames;
    const unknown = names.filter((name) => !valid.includes(name));
    if (unknown.length > 0) {
      context.addIssue({
        code: 'custom',
        message: `Unknown variant${unknown.length > 1 ? 's' : ''} in ${flag}: ${unknown.join(', ')} (valid: ${variantNames.join(', ')})`,
      });
      return z.NEVER;
    }
    return [...new Set(names as VariantName[])];
  });

export const intFlag = (flag: string, min: number) =>
  z.coerce
    .number({ error: `${flag} must be a number` })
    .int(`${flag} must be a whole number`)
    .min(min, `${flag} must be at least ${min}`);

/**
 * The pairs of flags given together that contradict each other, each with the reason. `names`
 * spells a key that is not a flag of its own as the user typed it (`jsonAsFile`: `--json <file>`).
 */
export function refuseTogether(
  flags: Record<string, unknown>,
  pairs: readonly (readonly [key: string, other: string, reason: string])[],
  context: z.core.$RefinementCtx,
  names: Readonly<Record<string, string>> = {},
): void {
  const spell = (key: string) => names[key] ?? flagName(key);
  for (const [key, other, reason] of pairs) {
    if (given(flags[key]) && given(flags[other])) {
      context.addIssue({
        code: 'custom',
        message: `${spell(key)} cannot be combined with ${spell(other)}: ${reason}`,
      });
    }
  }
}

/** A flag that only means something with another one (`--blob` without `--shard`). */
export function requireWith(
  flags: Record<string, unknown>,
  pairs: readonly (readonly [key: string, needs: string, reason: string])[],
  context: z.core.$RefinementCtx,
): void {
  for (const [key, needs, reason] of pairs) {
    if (given(flags[key]) && !given(flags[needs])) {
      context.addIssue({ code: 'custom', message: `${flagName(key)} needs ${flagName(needs)}: ${reason}` });
    }
  }
}

/**
 * `--x` and `--no-x` on one command line: commander would let the last one win without a word;
 * both given is refused before the command runs (the option events say which spellings were typed).
 */
export function refuseBothSpellings(command: Command, names: readonly string[]): Command {
  const typed = new Set<string>();
  for (const name of names) {
    for (const spelling of [name, `no-${name}`]) command.on(`option:${spelling}`, () => typed.add(spelling));
  }
  return command.hook('preAction', () => {
    for (const name of names) {
      if (typed.has(name) && typed.has(`no-${name}`)) {
        throw new UsageError(`--${name} cannot be combined with --no-${name}: they contradict each other`, {
          hint: `Give one of them. Run \`sigstorm ${command.name()} --help\` for the options.`,
        });
      }
    }
  });
}

/** `onlyIteration` → `--only-iteration`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

const given = (value: unknown): boolean => value !== undefined && value !== false;

/**
 * `--repo`: a path or URL, never credentials. User info in an http(s) URL would stay on this
 * process's command line (and npm's `sh -c` wrapper's) for the whole run, where `ps` shows it; the
 * credential variables keep it off every command line (docs/build.md#credentials). The message
 * never repeats the URL, which holds the secret.
 */
export const repoFlag = z
  .string()
  .min(1, '--repo needs a path or URL')
  .refine((repo) => !hasUserInfo(repo), {
    error:
      '--repo has credentials in its URL, which ps would show for the whole run: give the URL without them and set SIGSTORM_GIT_USERNAME and SIGSTORM_GIT_PASSWORD in the environment',
  });

function hasUserInfo(repo: string): boolean {
  if (!/^https?:\/\//i.test(repo)) return false;
  try {
    const url = new URL(repo);
    return url.username !== '' || url.password !== '';
  } catch {
    // Not a URL node can parse: look for user info before the host the way git would read it.
    return /^https?:\/\/[^/@]*@/i.test(repo);
  }
}
