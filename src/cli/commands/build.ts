import type { Command } from 'commander';
import { z } from 'zod';
import { type BuildResult, build, defaultBinary, describeTree, type Tree } from '../../build/build-tree.js';
import { type VariantName, variantNames } from '../../build/variants.js';
import { SigstormError, UsageError } from '../../util/errors.js';
import { parseFlags } from '../parse-flags.js';
import { cliSandbox } from '../sandbox-mode.js';

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** The command's flags as commander hands them over; validated before anything runs. */
const BuildFlags = z.object({
  repo: z.string().min(1, '--repo needs a path or URL').optional(),
  ref: z.string().min(1, '--ref needs a branch, tag or commit').optional(),
  patches: z.string().optional(),
  variants: z.string().default(variantNames.join(',')),
  binary: z.string().min(1).default(defaultBinary),
  json: z.boolean().default(false),
  sandbox: z.boolean().default(true),
});

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description(
      'Build a tree in the plain, asan and tsan variants (cached: the same tree is never built twice)',
    )
    .option('--repo <repo>', 'git repository (path or URL) or directory; default: the bundled test subject')
    .option(
      '--ref <ref>',
      'branch, tag or commit; default: HEAD (the bundled subject: its files as they are)',
    )
    .option('--patches <files>', 'patch files applied in order, comma-separated')
    .option('--variants <names>', `comma-separated, of ${variantNames.join(', ')}`, variantNames.join(','))
    .option('--binary <path>', 'the program to build, relative to the tree', defaultBinary)
    .option('--json', 'print a JSON document on stdout (progress stays on stderr)')
    .option(
      '--no-sandbox',
      'run the code under test without the bubblewrap sandbox (your own code, machines without user namespaces)',
    )
    .action(async (raw: unknown) => {
      const flags = parseFlags(BuildFlags, raw, 'build');
      const variants = parseVariants(flags.variants);
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const started = performance.now();
      const sandbox = await cliSandbox(flags.sandbox, (line) => process.stderr.write(`${line}\n`));
      try {
        const result = await build(
          { repo: flags.repo, ref: flags.ref, patches: list(flags.patches) },
          variants,
          {
            binary: flags.binary,
            signal: controller.signal,
            sandbox,
            onProgress: (event) => process.stderr.write(`sigstorm build: ${event.message}\n`),
          },
        );
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(toJson(result.tree, result.variants), null, 2)}\n`
            : human(result.tree, result.variants, started),
        );
      } catch (error) {
        if (controller.signal.aborted) {
          throw new SigstormError('Build interrupted; nothing unfinished was added to the cache', {
            cause: error,
          });
        }
        throw error;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

function parseVariants(text: string): VariantName[] {
  const names = list(text);
  if (names.length === 0)
    throw new UsageError('--variants is empty', { hint: `Give some of: ${variantNames.join(', ')}.` });
  const unknown = names.filter((name) => !(variantNames as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `Unknown variant${unknown.length > 1 ? 's' : ''} in --variants: ${unknown.join(', ')}`,
      {
        hint: `Valid variants: ${variantNames.join(', ')} (comma-separated, e.g. --variants plain,asan).`,
      },
    );
  }
  return names.filter((name): name is VariantName => (variantNames as readonly string[]).includes(name));
}

function toJson(tree: Tree, variants: Partial<Record<VariantName, BuildResult>>): unknown {
  const { dir, ...origin } = tree;
  return {
    tree: { ...origin, dir },
    variants: Object.fromEntries(
      Object.values(variants).map((result) => {
        const { variant, tree: _tree, ...rest } = result;
        return [variant, rest];
      }),
    ),
  };
}

function human(tree: Tree, variants: Partial<Record<VariantName, BuildResult>>, started: number): string {
  const lines = [`${describeTree(tree)} (tree ${tree.hash})`];
  for (const result of Object.values(variants)) {
    const how = result.cached ? 'cached' : `built in ${seconds(result.durationMs)}`;
    lines.push(`  ${result.variant.padEnd(5)}  ${how.padEnd(16)} ${result.binary}`);
  }
  lines.push(`done in ${seconds(performance.now() - started)}`);
  return `${lines.join('\n')}\n`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
