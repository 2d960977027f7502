import { readFileSync } from 'node:fs';
import { UsageError } from '../util/errors.js';

/** Parses a taskset-style CPU list (`0-3,6`) into sorted unique CPU numbers. */
export function parseCpuList(list: string): number[] {
  const cpus = new Set<number>();
  for (const part of list.split(',')) {
    const match = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!match) {
      throw new UsageError(`Invalid CPU list "${list}"`, {
        hint: 'Write CPUs as taskset does, e.g. 0,1 or 0-3,6.',
      });
    }
    const lo = Number(match[1]);
    const hi = match[2] === undefined ? lo : Number(match[2]);
    if (hi < lo)
      throw new UsageError(`Invalid CPU range "${part}" in "${list}"`, { hint: 'Write ranges low-high.' });
    for (let cpu = lo; cpu <= hi; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** The canonical comma-separated form given to `taskset -c`. */
export function formatCpuList(cpus: readonly number[]): string {
  return cpus.join(',');
}

/** The CPUs this process may run on (its affinity mask, which a container or taskset may narrow). */
export function allowedCpus(): number[] {
  const status = readFileSync('/proc/self/status', 'utf8');
  const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(status);
  if (!line?.[1]) throw new Error('no Cpus_allowed_list in /proc/self/status');
  return parseCpuList(line[1]);
}

/**
 * The CPUs a run may use: those asked for (a taskset list or numbers), all of this process's by
 * default; asking for one outside its affinity is an error that names the ones available.
 */
export function chooseCpus(asked?: string | readonly number[]): number[] {
  const allowed = allowedCpus();
  if (asked === undefined) return allowed;
  const cpus = typeof asked === 'string' ? parseCpuList(asked) : [...asked];
  const foreign = cpus.filter((cpu) => !allowed.includes(cpu));
  if (cpus.length === 0 || foreign.length > 0) {
    throw new UsageError(`CPUs ${formatCpuList(foreign)} are not available to this process`, {
      hint: `Use CPUs from ${formatCpuList(allowed)}.`,
    });
  }
  return cpus;
}
