import { isAbsolute, join, resolve } from 'node:path';
import { isFailure } from '../../classify/outcome.js';
import { buildVariant, materialise } from '../../compile/build-tree.js';
import { planBuild } from '../../compile/prepare-tree.js';
import { signaturesOf } from '../../storm/count-outcomes.js';
import { allowedCpus, formatCpuList } from '../../storm/cpus.js';
import { createLanePool } from '../../storm/lanes.js';
import type { IterationRecord } from '../../storm/record.js';
import { newStormId, runStorm } from '../../storm/run-storm.js';
import { UsageError } from '../../util/errors.js';
import { pathExists } from '../../util/path-exists.js';
import { cacheRoot, installRoot } from '../../util/paths.js';
import { resolveStormWorkload } from '../../workload/load.js';
import { exitCodes } from '../exit-codes.js';
import { onInterrupt } from '../interrupt.js';
import { cliSandbox } from '../sandbox-mode.js';
import type { ReproFlags } from './repro-flags.js';

/** What one run of the iteration did: its target outcome's kind and signatures. */
interface Rerun {
  readonly kind: IterationRecord['target']['outcome']['kind'];
  readonly failed: boolean;
  readonly signatures: readonly string[];
}

const rerunOf = (r: IterationRecord): Rerun => ({
  kind: r.target.outcome.kind,
  failed: isFailure(r.target.outcome),
  signatures: signaturesOf(r.target.outcome),
});

export async function reproAction(flags: ReproFlags): Promise<number> {
  const { workload, file } = await resolveStormWorkload(flags.workload);
  const workloadRef = flags.workload.includes('/') || flags.workload.endsWith('.yaml') ? file : workload.name;
  const cpus = cpusFor(flags.cpuCount);
  const say = (line: string) => {
    if (!flags.quiet) process.stderr.write(`sigstorm repro: ${line}\n`);
  };
  const interrupt = onInterrupt();
  try {
    const sandbox = await cliSandbox(flags.sandbox, say);
    const tree = await materialise(
      { repo: flags.repo, ref: flags.ref, patches: await Promise.all((flags.patches ?? []).map(patchFile)) },
      { signal: interrupt.signal, onProgress: say },
    );
    await planBuild(tree);
    const { binary } = await buildVariant(tree, flags.variant, {
      signal: interrupt.signal,
      sandbox,
      onProgress: (event) => say(event.message),
    });
    const pool = await createLanePool({ lanes: 1, cpus });
    say(
      `${workload.name} (${flags.variant}) iteration ${flags.iteration}, seed ${flags.seed}, on CPUs ${formatCpuList(cpus)}, then ${flags.times} more times`,
    );
    const runs: Rerun[] = [];
    for (let i = 0; i <= flags.times && !interrupt.signal.aborted; i++) {
      const stormId = newStormId(workload.name, flags.variant);
      const summary = await runStorm({
        pool,
        binary,
        variant: flags.variant,
        workload,
        workloadRef,
        seed: flags.seed,
        iterations: [flags.iteration],
        resultsFile: join(cacheRoot(), 'repro', `${stormId}.jsonl`),
        stormId,
        signal: interrupt.signal,
        sandbox,
        onRecord: (record) => {
          runs.push(rerunOf(record));
          say(`run ${runs.length}: ${describe(rerunOf(record))}`);
        },
      });
      if (summary.interrupted) break;
    }
    const result = summariseRuns(runs);
    process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${result.text}\n`);
    return interrupt.signal.aborted ? exitCodes.interrupted : exitCodes.ok;
  } finally {
    interrupt.dispose();
  }
}

/** A patch by its path, else one that ships with sigstorm (`patches/NAME`, as repro lines name them). */
async function patchFile(name: string): Promise<string> {
  const here = resolve(name);
  if (await pathExists(here)) return here;
  const bundled = join(installRoot, name);
  return !isAbsolute(name) && (await pathExists(bundled)) ? bundled : here;
}

/** The first `count` CPUs this process may use; an iteration that needs more cannot be rerun as it ran. */
function cpusFor(count: number | undefined): number[] {
  const allowed = allowedCpus();
  if (count === undefined) return allowed;
  if (count > allowed.length) {
    throw new UsageError(
      `The iteration ran on ${count} CPUs; this process may use ${allowed.length} (${formatCpuList(allowed)})`,
      { hint: 'Rerun it on a machine (or taskset) with that many CPUs: timing depends on them.' },
    );
  }
  return allowed.slice(0, count);
}

const describe = (r: Rerun) => (r.failed ? `${r.kind}: ${r.signatures.join('; ')}` : r.kind);

/** The first run, then how many reruns failed, and how many with the first run's signature. */
export function summariseRuns(runs: readonly Rerun[]) {
  const [first, ...reruns] = runs;
  const failed = reruns.filter((r) => r.failed).length;
  const same = first?.failed
    ? reruns.filter((r) => r.signatures.some((s) => first.signatures.includes(s))).length
    : 0;
  const lines = [
    first ? `first run: ${describe(first)}` : 'first run: did not finish',
    reruns.length === 0
      ? 'no reruns (--times 0)'
      : `reproduced in ${failed} of ${reruns.length} reruns${first?.failed ? ` (${same} with the same signature)` : ''}`,
  ];
  return { first: first ?? null, reruns: reruns.length, failed, sameSignature: same, text: lines.join('\n') };
}
