import { listWorkloadNames, resolveWorkload } from '../workload/load.js';

/**
 * The storm workload names a slash command may ask for (throughput definitions are run by validate
 * on its own). Read once: the bundled workloads do not change while the app runs.
 */
export function knownStormWorkloads(): () => Promise<readonly string[]> {
  let names: Promise<readonly string[]> | undefined;
  return () => {
    names ??= (async () => {
      const storms: string[] = [];
      for (const name of await listWorkloadNames()) {
        const { workload } = await resolveWorkload(name);
        if (workload.kind === 'storm') storms.push(name);
      }
      return storms;
    })();
    return names;
  };
}
