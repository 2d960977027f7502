import { describeShard, runShard } from '../../pipeline/shards/run-shard.js';
import { describeRanges, parseShardSpec } from '../../pipeline/shards/shard-plan.js';
import { UsageError } from '../../util/errors.js';
import type { ValidateFlags } from './validate-flags.js';
import { validateRequestFor, withValidateRun } from './validate-setup.js';

/**
 * `sigstorm validate --shard K/N`: runs shard K's planned slice of the validation and writes its
 * blob (for `sigstorm merge`); the report is the merge's to write, so the report flags go there.
 */
export async function shardAction(flags: ValidateFlags): Promise<number> {
  const shard = parseShardSpec(flags.shard ?? '');
  const reportFlags = [
    flags.json && '--json',
    flags.jsonFile && '--json-file',
    flags.markdownFile && '--markdown-file',
    flags.failOnRegression && '--fail-on-regression',
  ].filter((f): f is string => typeof f === 'string');
  if (reportFlags.length > 0) {
    throw new UsageError(
      `--shard writes a blob, not a report: ${reportFlags.join(', ')} belong to sigstorm merge`,
      {
        hint: 'Run every shard with --shard K/N, then `sigstorm merge BLOB...` with the report flags.',
      },
    );
  }
  const { config, file, request } = await validateRequestFor(flags);
  if (file && !flags.quiet) process.stderr.write(`Config: ${file}\n`);
  return withValidateRun(flags, async ({ sandbox, options, finishProgress }) => {
    const result = await runShard(
      { ...request, baseCache: flags.baseCache, sandbox },
      { index: shard.index, count: shard.count, policy: config.policy },
      { ...options, ...(flags.blob ? { blobFile: flags.blob } : {}) },
    );
    finishProgress();
    const { blob } = result;
    process.stdout.write(
      [
        `Shard ${shard.index}/${shard.count} of plan ${blob.plan.id} (${describeRanges(blob.plan, shard.index)}):`,
        ...describeShard(blob).map((line) => `  ${line}`),
        `Blob: ${result.file}`,
        '',
      ].join('\n'),
    );
    return 0;
  });
}
