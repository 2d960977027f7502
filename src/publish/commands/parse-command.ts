import { z } from 'zod';
import { type VariantName, variantNames } from '../../build/variants.js';
import { maxIterations } from '../../config/repo-config.schema.js';
import { commandLines } from './command-lines.js';

/** A slash command from a pull-request comment, or why it is not one sigstorm accepts. */
export type SlashCommand =
  | {
      readonly name: 'run';
      readonly workloads?: readonly string[];
      readonly iterations?: number;
      readonly variants?: readonly VariantName[];
    }
  | { readonly name: 'rerun' | 'cancel' | 'help' };

export type ParsedComment =
  | { readonly kind: 'none' }
  | { readonly kind: 'command'; readonly command: SlashCommand; readonly text: string }
  | { readonly kind: 'invalid'; readonly text: string; readonly problems: readonly string[] };

export const usage = [
  '/sigstorm run [workloads=a,b] [iterations=N] [variants=plain,asan,tsan]',
  '/sigstorm rerun',
  '/sigstorm cancel',
  '/sigstorm help',
].join('\n');

const commandLine = /^[ \t]*\/sigstorm\b(.*)$/m;

function unknown(what: string, known: readonly string[]) {
  return (issue: { input: unknown }) =>
    `unknown ${what} "${String(issue.input)}" (known: ${known.length ? known.join(', ') : 'none'})`;
}

/** `a,b,c` into a non-empty list of valid items. */
function csv<T extends z.ZodType<unknown, string>>(item: T) {
  return z
    .string()
    .transform((value) => value.split(',').map((entry) => entry.trim()))
    .pipe(z.array(item).min(1));
}

function runArguments(knownWorkloads: readonly string[]) {
  return z
    .object({
      workloads: csv(
        z
          .string()
          .refine((name) => knownWorkloads.includes(name), { error: unknown('workload', knownWorkloads) }),
      ).optional(),
      variants: csv(z.enum(variantNames, { error: unknown('variant', variantNames) })).optional(),
      iterations: z
        .string()
        .regex(/^\d+$/, {
          error: (issue) => `iterations must be a whole number, not "${String(issue.input)}"`,
        })
        .transform(Number)
        .pipe(
          z
            .number()
            .int()
            .min(1, { error: 'iterations must be at least 1' })
            .max(maxIterations, { error: `iterations may be at most ${maxIterations}` }),
        )
        .optional(),
    })
    .strict();
}

/**
 * Finds the first `/sigstorm …` line of a comment and validates it. Comments without one are not
 * commands (`none`), so ordinary discussion is never answered.
 */
export function parseComment(body: string, knownWorkloads: readonly string[]): ParsedComment {
  // Only prose counts: a command quoted or shown in code is nobody's request.
  const match = commandLines(body)
    .map((line) => commandLine.exec(line))
    .find((found) => found !== null);
  if (!match) return { kind: 'none' };
  const text = match[0].trim();
  const [name = '', ...args] = (match[1] ?? '').trim().split(/\s+/).filter(Boolean);
  if (name === 'rerun' || name === 'cancel' || name === 'help') {
    if (args.length > 0) return { kind: 'invalid', text, problems: [`"${name}" takes no arguments`] };
    return { kind: 'command', command: { name }, text };
  }
  if (name !== 'run') {
    const problem = name ? `unknown command "${name}"` : 'a command is missing after /sigstorm';
    return { kind: 'invalid', text, problems: [problem] };
  }
  const pairs: Record<string, string> = {};
  const problems: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      problems.push(`"${arg}" is not key=value`);
      continue;
    }
    const key = arg.slice(0, eq);
    if (key in pairs) problems.push(`${key} is given twice`);
    pairs[key] = arg.slice(eq + 1);
  }
  const result = runArguments(knownWorkloads).safeParse(pairs);
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        problems.push(
          `unknown argument ${issue.keys.join(', ')} (arguments: workloads, iterations, variants)`,
        );
      } else {
        problems.push(issue.message);
      }
    }
  }
  if (problems.length > 0 || !result.success) return { kind: 'invalid', text, problems };
  const { workloads, variants, iterations } = result.data;
  return {
    kind: 'command',
    text,
    command: {
      name: 'run',
      ...(workloads ? { workloads } : {}),
      ...(variants ? { variants } : {}),
      ...(iterations !== undefined ? { iterations } : {}),
    },
  };
}
