import { z } from 'zod';
import { type VariantName, variantNames } from '../../compile/variants.js';
import { maxIterations } from '../../config/repo-config.schema.js';
import { bisectCommitRange } from '../jobs/bisect-job.js';
import { helpReply } from '../messages/replies.js';
import { bisectCommand } from './bisect-command.js';
import { cancelCommand } from './cancel-command.js';
import { type CommandContext, reply } from './command-context.js';
import { runCommand } from './run-command.js';

/** The arguments a command may take (`run` and `bisect`), as parsed from `key=value` pairs. */
export interface CommandArguments {
  readonly workloads?: readonly string[];
  readonly iterations?: number;
  readonly variants?: readonly VariantName[];
}

/**
 * One slash command: everything about it is here, and the parser, the comment handler, the usage
 * and the help reply read it from this table. Every command needs write access (the bot speaks only
 * to collaborators), so that is checked once, in the comment handler.
 */
export interface CommandSpec {
  readonly name: string;
  /** What follows the name in the usage line, e.g. `[iterations=N]`; empty: no arguments. */
  readonly usage: string;
  /** The help reply's line about it (Markdown, may wrap). */
  readonly help: readonly string[];
  /** The schema of its `key=value` arguments; absent: it takes none. */
  readonly arguments?: (
    knownWorkloads: readonly string[],
  ) => z.ZodType<CommandArguments, Record<string, string>>;
  readonly handle: (ctx: CommandContext, args: CommandArguments) => Promise<void>;
}

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

/** The cells a command names: `workloads=a,b` and `variants=plain,asan`. */
function cellArguments(knownWorkloads: readonly string[]) {
  return {
    workloads: csv(
      z
        .string()
        .refine((name) => knownWorkloads.includes(name), { error: unknown('workload', knownWorkloads) }),
    ).optional(),
    variants: csv(z.enum(variantNames, { error: unknown('variant', variantNames) })).optional(),
  };
}

function runArguments(knownWorkloads: readonly string[]) {
  return z
    .object({
      ...cellArguments(knownWorkloads),
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

function bisectArguments(knownWorkloads: readonly string[]) {
  return z.object(cellArguments(knownWorkloads)).strict();
}

export const commands: readonly CommandSpec[] = [
  {
    name: 'run',
    usage: '[workloads=a,b] [iterations=N] [variants=plain,asan,tsan]',
    help: [
      '- `run`: validate the current head against the base; arguments override `.github/sigstorm.yml`',
      `  (iterations per cell and side, at most ${maxIterations}). On a pull request from a fork or from an`,
      "  author without write access, a maintainer's `run` approves the head that was there when the comment",
      '  was written.',
    ],
    arguments: runArguments,
    handle: (ctx, args) =>
      runCommand(ctx, 'run', {
        ...(args.workloads ? { workloads: [...args.workloads] } : {}),
        ...(args.variants ? { variants: [...args.variants] } : {}),
        ...(args.iterations !== undefined ? { iterations: args.iterations } : {}),
      }),
  },
  {
    name: 'rerun',
    usage: '',
    help: [
      '- `rerun`: run again with the settings of the last run; on untrusted code, the last approved commit',
      '  with the settings of its run.',
    ],
    handle: (ctx) => runCommand(ctx, 'rerun', 'last run'),
  },
  {
    name: 'bisect',
    usage: '[workloads=a,b] [variants=plain,asan,tsan]',
    help: [
      `- \`bisect\`: find the commit of this pull request (${bisectCommitRange.min} to ${bisectCommitRange.max} commits) that brought the stability`,
      '  regression, in its own check run; the answer goes into the report comment. It storms the workloads named',
      "  (variants: the ones named, else the config's), else the cells the head's validation found regressed.",
    ],
    arguments: bisectArguments,
    handle: (ctx, args) =>
      bisectCommand(ctx, {
        ...(args.workloads ? { workloads: [...args.workloads] } : {}),
        ...(args.variants ? { variants: [...args.variants] } : {}),
      }),
  },
  {
    name: 'cancel',
    usage: '',
    help: ['- `cancel`: stop the queued or running validation or bisection of this pull request.'],
    handle: (ctx) => cancelCommand(ctx),
  },
  {
    name: 'help',
    usage: '',
    help: ['- `help`: this reply, with the workloads `run` accepts.'],
    handle: async (ctx) =>
      reply(ctx, helpReply(ctx.user, usage(), helpLines(), await ctx.services.knownWorkloads())),
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return commands.find((command) => command.name === name);
}

/** One line per command, as the replies and docs/github-app.md show them. */
export function usage(): string {
  return commands.map((c) => `/sigstorm ${c.name}${c.usage ? ` ${c.usage}` : ''}`).join('\n');
}

export function helpLines(): string[] {
  return commands.flatMap((c) => c.help);
}
