import { access, constants } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { judgedOf } from '../../classify/outcome.js';
import { buildVariant, materialise, type Tree } from '../../compile/build-tree.js';
import { planBuild } from '../../compile/prepare-tree.js';
import type { VariantName } from '../../compile/variants.js';
import { createLanePool } from '../../storm/lanes.js';
import { freshSeed } from '../../storm/prng.js';
import { newStormId, runStorm } from '../../storm/run-storm.js';
import { UsageError } from '../../util/errors.js';
import { cacheRoot } from '../../util/paths.js';
import { resolveStormWorkload } from '../../workload/load.js';
import { checkOutputFile } from '../check-paths.js';
import { exitCodes } from '../exit-codes.js';
import { onInterrupt } from '../interrupt.js';
import { cliSandbox } from '../sandbox-mode.js';
import { createStormProgress, type ProgressMode } from '../storm-progress.js';
import { formatStormSummary } from '../storm-summary-text.js';
import { defaultIterations, type StormFlags } from './storm-flags.js';

/** `sigstorm storm` once its flags parsed: every input checked, then the build (if any) and the storm. */
export async function stormAction(flags: StormFlags): Promise<number> {
  // Every input is checked before anything is built or stormed: paths, workload, program or tree, CPUs.
  if (flags.out) await checkOutputFile(flags.out, '--out', true);
  const { workload, file } = await resolveStormWorkload(flags.workload);
  // Repro lines name a bundled workload by name, anything else by its absolute path.
  const workloadRef = flags.workload.includes('/') || flags.workload.endsWith('.yaml') ? file : workload.name;
  const variant: VariantName = flags.variant;
  const interrupt = onInterrupt();
  try {
    const sandbox = await cliSandbox(flags.sandbox, (line) =>
      process.stderr.write(`sigstorm storm: ${line}\n`),
    );
    const program = flags.binary
      ? ({ kind: 'built', binary: await checkedBinary(flags.binary) } as const)
      : ({ kind: 'tree', tree: await checkedTree(flags, interrupt.signal) } as const);
    const pool = await createLanePool({
      ...(flags.lanes === undefined ? (flags.cpus ? { lanes: 1 } : {}) : { lanes: flags.lanes }),
      ...(flags.cpus ? { cpus: flags.cpus } : {}),
      ...(flags.basePort === undefined ? {} : { basePort: flags.basePort }),
    });
    const binary =
      program.kind === 'built'
        ? program.binary
        : (
            await buildVariant(program.tree, variant, {
              signal: interrupt.signal,
              sandbox,
              onProgress: (event) => {
                if (!flags.quiet) process.stderr.write(`sigstorm build: ${event.message}\n`);
              },
            })
          ).binary;
    const seed = flags.seed ?? freshSeed();
    const iterations =
      flags.onlyIteration === undefined
        ? Array.from({ length: flags.iterations ?? defaultIterations }, (_, i) => i)
        : [flags.onlyIteration];
    const stormId = newStormId(workload.name, variant);
    const resultsFile = resolve(flags.out ?? join(cacheRoot(), 'storms', `${stormId}.jsonl`));
    const mode: ProgressMode = flags.quiet ? 'quiet' : process.stderr.isTTY ? 'tty' : 'lines';
    if (mode !== 'quiet') {
      const lanes = pool.lanes.map((l) => `${l.index}:cpus ${l.cpuList}`).join(', ');
      process.stderr.write(
        `sigstorm storm: ${workload.name} × ${iterations.length} on ${binary} (${variant}), seed ${seed}, lanes ${lanes}\n`,
      );
    }
    const progress = createStormProgress({
      mode,
      label: `${workload.name} ${variant}`,
      total: iterations.length,
    });
    const summary = await runStorm({
      pool,
      binary,
      variant,
      workload,
      workloadRef,
      seed,
      iterations,
      resultsFile,
      stormId,
      signal: interrupt.signal,
      sandbox,
      onRecord: (record) => progress.record(record),
    });
    progress.finish();
    process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : formatStormSummary(summary));
    if (summary.interrupted) return exitCodes.interrupted;
    const { failures } = judgedOf(summary.outcomes);
    return flags.failOnFindings && failures > 0 ? exitCodes.regression : exitCodes.ok;
  } finally {
    interrupt.dispose();
  }
}

async function checkedBinary(path: string): Promise<string> {
  const binary = resolve(path);
  try {
    await access(binary, constants.X_OK);
  } catch (error) {
    throw new UsageError(`${binary} is not an executable file`, {
      cause: error,
      hint: 'Give the path of an iperf3 binary, e.g. --binary /usr/bin/iperf3.',
    });
  }
  return binary;
}

/** The tree to build, exported and patched (a patch that does not apply fails here, in seconds). */
async function checkedTree(flags: StormFlags, signal: AbortSignal): Promise<Tree> {
  const tree = await materialise(
    { repo: flags.repo, ref: flags.ref, patches: flags.patches ?? [] },
    {
      signal,
      onProgress: (message) => {
        if (!flags.quiet) process.stderr.write(`sigstorm build: ${message}\n`);
      },
    },
  );
  await planBuild(tree);
  return tree;
}
