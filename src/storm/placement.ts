import type { StormWorkload, ThroughputWorkload } from '../workload/schema.js';
import { formatCpuList } from './cpus.js';

/** The taskset CPU list of each side, or why the CPUs given cannot honour the workload's `pin`. */
export type Placement =
  | { readonly kind: 'ok'; readonly server: string; readonly client: string }
  | { readonly kind: 'impossible'; readonly reason: string };

/**
 * Places server and client on `cpus` (a storm lane's, or a throughput run's), `owner` naming them in
 * the reason. Storms default to none: both processes move freely over all of the lane's cores, where
 * the races live; pinning hides them (measured on iperf3: 33% crashes free, 5-8% on one core, 0-1% one
 * core each). Throughput defaults to one-core-each, for a small run-to-run spread.
 */
export function placeSides(
  pin: StormWorkload['pin'] | ThroughputWorkload['pin'],
  cpus: readonly number[],
  owner: string,
): Placement {
  const [first, second] = cpus;
  if (first === undefined) return { kind: 'impossible', reason: `${owner} has no CPU` };
  switch (pin) {
    case 'none':
      return { kind: 'ok', server: formatCpuList(cpus), client: formatCpuList(cpus) };
    case 'same-core':
      return { kind: 'ok', server: String(first), client: String(first) };
    case 'one-core-each':
      if (second === undefined) {
        return {
          kind: 'impossible',
          reason: `pin: one-core-each needs two CPUs and ${owner} has only ${formatCpuList(cpus)}`,
        };
      }
      return { kind: 'ok', server: String(first), client: String(second) };
  }
}
