import { readFile } from 'node:fs/promises';
import { UsageError } from '../../util/errors.js';
import { bundledWorkloadsDir } from '../../util/paths.js';
import { loadWorkloadSet, resolveWorkload } from '../../workload/load.js';
import type { StormWorkload, ThroughputWorkload } from '../../workload/schema.js';

export interface PlannedStorm {
  readonly workload: StormWorkload;
  /** How repro commands name it: the bundled name, or the file path. */
  readonly ref: string;
  /** The file's text: part of the base-results cache key. */
  readonly text: string;
}

export interface WorkloadPlan {
  readonly storms: readonly PlannedStorm[];
  readonly throughput: ThroughputWorkload | null;
}

/**
 * The workloads of a validation: the named ones (workload names, files, or `set:<name>`), or the
 * profile's set. Throughput definitions among them measure throughput; when none is named the
 * bundled `throughput` definition does.
 */
export async function planWorkloads(
  names: readonly string[] | undefined,
  defaultSet: string,
  dir: string = bundledWorkloadsDir,
): Promise<WorkloadPlan> {
  const expanded: string[] = [];
  for (const name of names && names.length > 0 ? names : [`set:${defaultSet}`]) {
    if (name.startsWith('set:')) expanded.push(...(await loadWorkloadSet(name.slice(4), dir)));
    else expanded.push(name);
  }
  const storms: PlannedStorm[] = [];
  let throughput: ThroughputWorkload | null = null;
  for (const name of new Set(expanded)) {
    const { workload, file } = await resolveWorkload(name, dir);
    if (workload.kind === 'throughput') {
      if (throughput) {
        throw new UsageError(`Two throughput definitions named: ${throughput.name} and ${workload.name}`, {
          hint: 'Name at most one throughput workload per validation.',
        });
      }
      throughput = workload;
    } else {
      storms.push({ workload, ref: name, text: await readFile(file, 'utf8') });
    }
  }
  if (!throughput) {
    const bundled = await resolveWorkload('throughput', bundledWorkloadsDir);
    if (bundled.workload.kind === 'throughput') throughput = bundled.workload;
  }
  return { storms, throughput };
}
