import type { StormWorkload } from '../workload/schema.js';
import type { Lane } from './lanes.js';

/** The taskset CPU list of each side, or why the lane cannot honour the workload's `pin`. */
export type Placement =
  | { readonly kind: 'ok'; readonly server: string; readonly client: string }
  | { readonly kind: 'impossible'; readonly reason: string };

/**
 * Default: both processes move freely over all of the lane's cores, where the races live.
 * Pinning hides them (measured on iperf3: 33% crashes free, 5-8% on one core, 0-1% one core each).
 */
export function placeSides(pin: StormWorkload['pin'], lane: Lane): Placement {
  const [first, second] = lane.cpus;
  if (first === undefined) return { kind: 'impossible', reason: `lane ${lane.index} has no CPU` };
  switch (pin) {
    case 'none':
      return { kind: 'ok', server: lane.cpuList, client: lane.cpuList };
    case 'same-core':
      return { kind: 'ok', server: String(first), client: String(first) };
    case 'one-core-each':
      if (second === undefined) {
        return {
          kind: 'impossible',
          reason: `pin: one-core-each needs two CPUs and lane ${lane.index} has only ${lane.cpuList}`,
        };
      }
      return { kind: 'ok', server: String(first), client: String(second) };
  }
}
