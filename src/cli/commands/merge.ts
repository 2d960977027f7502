import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { defaultMaxBlobBytes } from '../../pipeline/shards/read-shard-blobs.js';
import { describeRanges } from '../../pipeline/shards/shard-plan.js';
import { cacheRoot } from '../../util/paths.js';
import { formatSize, parseSize } from '../../util/size.js';
import { checkInputFile } from '../check-paths.js';
import { exitCodes } from '../exit-codes.js';
import { commandHelp } from '../help-text.js';
import { parseFlags, refuseBothSpellings } from '../parse-flags.js';
import { checkValidatePaths, configFor } from './validate-setup.js';

const MergeFlags = z.object({
  out: z.string().min(1, '--out needs a directory').optional(),
  json: z.boolean().default(false),
  jsonFile: z.string().min(1, '--json-file needs a file').optional(),
  markdownFile: z.string().min(1, '--markdown-file needs a file').optional(),
  failOnRegression: z.boolean().default(false),
  sarif: z.string().min(1, '--sarif needs a file').optional(),
  reproDir: z.string().min(1, '--repro-dir needs a directory').optional(),
  config: z.union([z.string().min(1, '--config needs a file'), z.literal(false)]).optional(),
  maxBlobSize: z
    .string()
    .transform((text) => parseSize(text) ?? Number.NaN)
    .refine((n) => n > 0, { error: '--max-blob-size takes a size like 64M or 1G' })
    .optional(),
});

export function registerMerge(program: Command): void {
  const command = program
    .command('merge')
    .description('Merge the blobs of a sharded validation (validate --shard K/N) into its report')
    .argument('<blobs...>', 'the shards’ blob files (shard-K-of-N.json)')
    .option('--out <dir>', 'directory for report.json, report.md and iterations/ (default: under the cache)')
    .option('--json', 'print the JSON report on stdout instead of the text report')
    .option('--json-file <file>', 'also write the JSON report here')
    .option('--markdown-file <file>', 'also write the Markdown report here')
    .option(
      '--fail-on-regression',
      `exit ${exitCodes.regression} when the verdict is a failure under the policy (--config's, else the plan's)`,
    )
    .option('--sarif <file>', 'also write the findings as SARIF 2.1.0 (for code scanning)')
    .option(
      '--repro-dir <dir>',
      'write a repro bundle of the failing iterations here (nothing when none failed)',
    )
    .option(
      '--config <file>',
      "a sigstorm.yml whose policy judges the verdict and whose thresholds the shards must have used (default: the blobs' plan)",
    )
    .option('--no-config', "judge by the policy the blobs' plan carries")
    .option(
      '--max-blob-size <size>',
      `refuse larger blobs unread (default ${formatSize(defaultMaxBlobBytes)})`,
    )
    .addHelpText(
      'after',
      commandHelp({
        examples: [
          'sigstorm merge shard-1-of-2.json shard-2-of-2.json',
          'sigstorm merge blobs/*.json --config sigstorm.yml --markdown-file report.md --json-file report.json --fail-on-regression',
        ],
        doc: 'validate.md',
        exit: `Exit status: ${exitCodes.ok} merged (missing shards are named in the report), ${exitCodes.regression} a failure under the policy with --fail-on-regression,
${exitCodes.badInput} bad input (a blob file that does not exist, none of the files an intact blob).`,
      }),
    )
    .action(async (files: string[], raw: unknown) => {
      const flags = parseFlags(MergeFlags, raw, 'merge');
      for (const file of files) await checkInputFile(file, 'blob');
      await checkValidatePaths(flags);
      // Blobs are untrusted: with a config, its policy and thresholds count, not the ones a blob carries.
      const config = flags.config ? (await configFor({ config: flags.config })).config : undefined;
      // Loaded once the paths passed: bad input ends without loading the merge.
      const [{ mergeShards }, { showReport }] = await Promise.all([
        import('../../pipeline/shards/merge-shards.js'),
        import('../show-report.js'),
      ]);
      const result = await mergeShards({
        ...(config ? { thresholds: config.thresholds } : {}),
        files,
        outDir:
          flags.out ?? join(cacheRoot(), 'runs', `merge-${new Date().toISOString().replace(/[:.]/g, '-')}`),
        ...(flags.maxBlobSize ? { maxBlobBytes: flags.maxBlobSize } : {}),
      });
      for (const s of result.shards) {
        const where = describeRanges(result.plan, s.shard);
        process.stderr.write(
          'file' in s
            ? `shard ${s.shard}/${result.plan.shards} (${where}): ${s.file}\n`
            : `shard ${s.shard}/${result.plan.shards} (${where}): MISSING: ${s.why}\n`,
        );
      }
      for (const u of result.unplaced) process.stderr.write(`refused ${u.file}: ${u.why}\n`);
      for (const t of result.tallies) {
        process.stderr.write(
          `${t.workload} (${t.variant}): arrived ${t.arrived.base} base + ${t.arrived.head} head, counted ${t.counted.base} + ${t.counted.head}` +
            `${t.afterStop.base + t.afterStop.head > 0 ? `, after the sequential stop ${t.afterStop.base} + ${t.afterStop.head}` : ''}` +
            `${t.partial.base + t.partial.head > 0 ? `, in cut-short batches ${t.partial.base} + ${t.partial.head}` : ''}` +
            `${t.missing > 0 ? `, missing ${t.missing} per side` : ''}\n`,
        );
      }
      process.exitCode = await showReport(
        result,
        {
          json: flags.json,
          jsonFile: flags.jsonFile,
          markdownFile: flags.markdownFile,
          failOnRegression: flags.failOnRegression,
          sarif: flags.sarif,
          reproDir: flags.reproDir,
        },
        config?.policy ?? result.plan.policy,
      );
    });
  refuseBothSpellings(command, ['config']);
}
