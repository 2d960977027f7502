import { readFile } from 'node:fs/promises';
import { UsageError } from '../util/errors.js';

/** Parses a `taskset -c` style list (`0-3,6`) into core numbers, in order, without duplicates. */
export function parseCpuList(list: string): number[] {
  const cores: number[] = [];
  for (const part of list.split(',').map((p) => p.trim())) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) {
      throw new UsageError(`Invalid CPU list '${list}': '${part}' is not a core number or a range.`, {
        hint: "Write cores the way taskset -c does, e.g. '0,1' or '0-3'.",
      });
    }
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) throw new UsageError(`Invalid CPU list '${list}': the range '${part}' runs backwards.`);
    for (let core = from; core <= to; core++) if (!cores.includes(core)) cores.push(core);
  }
  return cores;
}

/** The cores this process may run on (its affinity, as taskset and cgroups set it). */
export async function allowedCpus(): Promise<string> {
  const status = await readFile('/proc/self/status', 'utf8');
  const list = /^Cpus_allowed_list:\s*(\S+)$/m.exec(status)?.[1];
  if (!list) throw new Error('/proc/self/status has no Cpus_allowed_list line');
  return list;
}

export interface Placement {
  /** `taskset -c` list for the server. */
  readonly server: string;
  /** `taskset -c` list for the client. */
  readonly client: string;
}

/**
 * Server and client on disjoint halves of the cores (one core each on a 2-core machine), so that
 * neither steals cycles from the other and run-to-run spread stays small; with one core both share it.
 */
export function placeServerAndClient(cpus: string): Placement {
  const cores = parseCpuList(cpus);
  if (cores.length === 0) throw new UsageError(`Invalid CPU list '${cpus}': it names no core.`);
  if (cores.length === 1) return { server: cpus, client: cpus };
  const half = Math.floor(cores.length / 2);
  return { server: cores.slice(0, half).join(','), client: cores.slice(half).join(',') };
}
