import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { variantNames } from '../../compile/variants.js';
import { bisect } from '../../pipeline/bisect/bisect.js';
import { cellsFromReport } from '../../pipeline/bisect/cells-from-report.js';
import type { BisectRequest, BisectSeries } from '../../pipeline/bisect/contract.js';
import { renderBisect } from '../../report/bisect/render-bisect.js';
import { checkInputFile, checkOutputDir, checkOutputFile } from '../check-paths.js';
import { exitCodes } from '../exit-codes.js';
import { commandHelp } from '../help-text.js';
import { onInterrupt } from '../interrupt.js';
import { cliSandbox, noSandboxOption } from '../sandbox-mode.js';
import type { ProgressMode } from '../storm-progress.js';
import { createValidateProgress } from '../validate-progress.js';
import { type BisectFlags, parseBisectFlags } from './bisect-flags.js';

export function registerBisect(program: Command): void {
  program
    .command('bisect')
    .description(
      'Find the first patch or commit that brings a stability regression, and say how sure that is',
    )
    .option('--repo <repo>', 'git repository (path or URL); default: the bundled test subject')
    .option('--good <ref>', 'the last good commit (with --bad: bisect the commits between them)')
    .option('--bad <ref>', 'the bad commit')
    .option('--base <ref>', 'with --head-patches: the tree the series applies to (default: HEAD)')
    .option(
      '--base-patches <files>',
      'patches applied to the good point and every candidate first, comma-separated',
    )
    .option('--head-patches <files>', 'the series, in order, comma-separated: candidate i has the first i')
    .option('--from-report <file>', "a validation's report.json: bisect its regressed cells")
    .option('--workloads <names>', 'the regressed cells: workload names or files, comma-separated')
    .option(
      '--variants <names>',
      `with --workloads: build variants (${variantNames.join(', ')}) (default: plain)`,
    )
    .option(
      '--tolerance <rate>',
      'failure-rate rise a step tells apart from none (default: half the rise shown)',
    )
    .option('--alpha <p>', 'false-alarm rate of the whole bisection (default 0.05)')
    .option('--beta <p>', 'miss rate of the whole bisection (default 0.05)')
    .option('--retests <k>', 'retests of an inconclusive step, each with twice the iterations (default 2)')
    .option('--min-iterations <n>', 'no step decides on fewer iterations per cell and side (default 10)')
    .option('--budget <time>', 'storm time of the whole bisection, e.g. 10m (default 30m)')
    .option('--seed <s>', 'seed of every random choice (default: derived from the good tree)')
    .option('--lanes <k>', 'parallel storm lanes (default: one per two CPUs)')
    .option('--cpus <list>', 'CPUs to use, taskset style')
    .option('--out <dir>', 'directory for every step’s iterations, bisect.json and bisect.md')
    .option('--json', 'print the JSON result on stdout instead of the Markdown (progress stays on stderr)')
    .option('--json-file <file>', 'also write the JSON result here')
    .option('--markdown-file <file>', 'also write the Markdown section here')
    .option('--quiet', 'no progress display')
    .addOption(noSandboxOption())
    .addHelpText(
      'after',
      commandHelp({
        examples: [
          'sigstorm bisect --head-patches s/0001.patch,s/0002.patch,s/0003.patch --workloads client-stream-sigterm',
          'sigstorm bisect --head-patches s/0001.patch,s/0002.patch --from-report report.json --json-file bisect.json',
          'sigstorm bisect --repo ../iperf --good 3.18 --bad my-branch --from-report report.json',
        ],
        doc: 'bisect.md',
        exit: `Exit status: ${exitCodes.ok} the bisection ran (whatever its answer: a culprit, none, or undecided), ${exitCodes.badInput} bad input (found before anything is built),
${exitCodes.couldNotRun} it could not run (a build failed, a storm could not start), ${exitCodes.interrupted} interrupted.`,
      }),
    )
    .action(async (raw: unknown) => {
      process.exitCode = await bisectAction(parseBisectFlags(raw));
    });
}

export async function bisectAction(flags: BisectFlags): Promise<number> {
  if (flags.out) await checkOutputDir(flags.out, '--out');
  if (flags.jsonFile) await checkOutputFile(flags.jsonFile, '--json-file');
  if (flags.markdownFile) await checkOutputFile(flags.markdownFile, '--markdown-file');
  if (flags.fromReport) await checkInputFile(flags.fromReport, 'report');
  const cells = flags.fromReport
    ? await cellsFromReport(flags.fromReport)
    : { workloads: flags.workloads ?? [], variants: flags.variants ?? ['plain' as const] };
  const log = (line: string) => process.stderr.write(`sigstorm bisect: ${line}\n`);
  const sandbox = await cliSandbox(flags.sandbox, log);
  const interrupt = onInterrupt();
  const mode: ProgressMode = flags.quiet ? 'quiet' : process.stderr.isTTY ? 'tty' : 'lines';
  const progress = createValidateProgress(mode);
  const request: BisectRequest = {
    series: seriesOf(flags),
    ...cells,
    ...(flags.tolerance === undefined ? {} : { tolerance: flags.tolerance }),
    ...(flags.alpha === undefined ? {} : { alpha: flags.alpha }),
    ...(flags.beta === undefined ? {} : { beta: flags.beta }),
    ...(flags.retests === undefined ? {} : { retests: flags.retests }),
    ...(flags.minIterations === undefined ? {} : { minIterations: flags.minIterations }),
    ...(flags.budget === undefined ? {} : { budgetSeconds: flags.budget }),
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    ...(flags.lanes === undefined ? {} : { lanes: flags.lanes }),
    ...(flags.cpus === undefined ? {} : { cpus: flags.cpus }),
    ...(flags.out === undefined ? {} : { outDir: flags.out }),
    sandbox,
  };
  try {
    const result = await bisect(request, {
      signal: interrupt.signal,
      // A step's line is worth keeping: it ends the storm display's current line first.
      onStep: (line) => {
        progress.finish();
        if (!flags.quiet) log(line);
      },
      onProgress: (p) => progress.update(p),
    });
    progress.finish();
    const json = `${JSON.stringify(result, null, 2)}\n`;
    const markdown = renderBisect(result);
    const outDir = resolve(flags.out ?? '.');
    if (flags.out) {
      await mkdir(outDir, { recursive: true });
      await writeFile(join(outDir, 'bisect.json'), json);
      await writeFile(join(outDir, 'bisect.md'), markdown);
    }
    if (flags.jsonFile) await writeFile(flags.jsonFile, json);
    if (flags.markdownFile) await writeFile(flags.markdownFile, markdown);
    process.stdout.write(flags.json ? json : markdown);
    process.stderr.write(`\n${result.headline}\n`);
    return exitCodes.ok;
  } finally {
    progress.finish();
    interrupt.dispose();
  }
}

function seriesOf(flags: BisectFlags): BisectSeries {
  if (flags.good && flags.bad && flags.repo) {
    return {
      kind: 'commits',
      repo: flags.repo,
      good: flags.good,
      bad: flags.bad,
      ...(flags.basePatches ? { patches: flags.basePatches.map((p) => resolve(p)) } : {}),
    };
  }
  return {
    kind: 'patches',
    good: {
      ...(flags.repo ? { repo: flags.repo } : {}),
      ...(flags.base ? { ref: flags.base } : {}),
      patches: (flags.basePatches ?? []).map((p) => resolve(p)),
    },
    patches: (flags.headPatches ?? []).map((p) => resolve(p)),
  };
}
