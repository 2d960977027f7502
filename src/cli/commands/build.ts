import type { Command } from 'commander';
import { z } from 'zod';
import {
  type BuildResult,
  buildVariants,
  defaultBinary,
  describeTree,
  materialise,
  type Tree,
} from '../../compile/build-tree.js';
import { planBuild } from '../../compile/prepare-tree.js';
import { type VariantName, variantNames } from '../../compile/variants.js';
import { commandHelp } from '../help-text.js';
import { onInterrupt } from '../interrupt.js';
import { listFlag, parseFlags, repoFlag, variantsFlag } from '../parse-flags.js';
import { cliSandbox, noSandboxOption } from '../sandbox-mode.js';

/** The command's flags as commander hands them over; validated before anything runs. */
const BuildFlags = z.object({
  repo: repoFlag.optional(),
  ref: z.string().min(1, '--ref needs a branch, tag or commit').optional(),
  patches: listFlag('--patches').optional(),
  variants: variantsFlag('--variants').default([...variantNames]),
  binary: z.string().min(1, '--binary needs a path inside the tree').default(defaultBinary),
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
    .option('--variants <names>', `comma-separated, of ${variantNames.join(', ')} (default: all)`)
    .option('--binary <path>', `the program to build, relative to the tree (default: ${defaultBinary})`)
    .option('--json', 'print a JSON document on stdout (progress stays on stderr)')
    .addOption(noSandboxOption())
    .addHelpText(
      'after',
      commandHelp({
        examples: [
          'sigstorm build --variants plain,asan',
          'sigstorm build --repo ../iperf --ref 3.18 --patches fix.patch --json',
          'sigstorm build --repo https://example.org/iperf.git --ref master --variants tsan',
        ],
        doc: 'build.md',
      }),
    )
    .action(async (raw: unknown) => {
      const flags = parseFlags(BuildFlags, raw, 'build');
      const interrupt = onInterrupt();
      const started = performance.now();
      const onProgress = (event: { message: string }) =>
        process.stderr.write(`sigstorm build: ${event.message}\n`);
      try {
        const sandbox = await cliSandbox(flags.sandbox, (line) =>
          process.stderr.write(`sigstorm build: ${line}\n`),
        );
        // The tree is exported, patched and checked for a build system before any variant builds.
        const tree = await materialise(
          { repo: flags.repo, ref: flags.ref, patches: flags.patches ?? [] },
          { signal: interrupt.signal, onProgress: (message) => onProgress({ message }) },
        );
        await planBuild(tree);
        const variants = await buildVariants(tree, flags.variants, {
          binary: flags.binary,
          signal: interrupt.signal,
          sandbox,
          onProgress,
        });
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(toJson(tree, variants), null, 2)}\n`
            : human(tree, variants, started),
        );
      } finally {
        interrupt.dispose();
      }
    });
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
