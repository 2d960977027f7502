import { UsageError } from '../util/errors.js';
import { chooseCpus, formatCpuList } from './cpus.js';
import { portStates } from './proc-net.js';

/**
 * A lane runs one iteration at a time on its own CPU set and its own port range. Lanes never share
 * cores: a storm's timing must not depend on what the neighbouring lane does.
 */
export interface Lane {
  readonly index: number;
  readonly cpus: readonly number[];
  /** The lane's CPU set as given to `taskset -c`. */
  readonly cpuList: string;
  readonly ports: readonly number[];
}

export interface LanePool {
  readonly lanes: readonly Lane[];
  readonly cpus: readonly number[];
  /** The next port of the lane's range that nothing uses (TIME_WAIT aside); `null` if none is. */
  acquirePort(lane: Lane): Promise<number | null>;
  /** Runs `task` when the lane is free: one iteration per lane at a time, whoever asks. */
  withLane<T>(lane: Lane, task: () => Promise<T>): Promise<T>;
}

export interface LanePoolOptions {
  /** Number of lanes; default: one per two CPUs (processes of a lane move freely over its cores). */
  readonly lanes?: number;
  /** CPUs to use (taskset list or numbers); default: every CPU this process may run on. */
  readonly cpus?: string | readonly number[];
  /** First port of lane 0; default: a free block below the ephemeral range, found by probing. */
  readonly basePort?: number;
  readonly portsPerLane?: number;
}

/** Splits CPUs into `count` contiguous groups of near-equal size. */
export function splitCpus(cpus: readonly number[], count: number): number[][] {
  const groups: number[][] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const size = Math.floor(cpus.length / count) + (i < cpus.length % count ? 1 : 0);
    groups.push(cpus.slice(start, start + size));
    start += size;
  }
  return groups;
}

/** Ports below Linux's ephemeral range (32768+), so that no client's source port collides with a lane's. */
const PORT_FLOOR = 20000;
const PORT_CEILING = 32000;

async function blockIsFree(ports: readonly number[]): Promise<boolean> {
  const states = await portStates(ports);
  return [...states.values()].every((s) => !s.listening && s.established === 0 && s.other === 0);
}

async function pickBasePort(total: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = PORT_FLOOR + Math.floor(Math.random() * (PORT_CEILING - PORT_FLOOR - total));
    const ports = Array.from({ length: total }, (_, i) => base + i);
    if (await blockIsFree(ports)) return base;
  }
  throw new Error(`no block of ${total} free TCP ports between ${PORT_FLOOR} and ${PORT_CEILING}`);
}

export async function createLanePool(options: LanePoolOptions = {}): Promise<LanePool> {
  const cpus = chooseCpus(options.cpus);
  const count = options.lanes ?? Math.max(1, Math.floor(cpus.length / 2));
  if (!Number.isInteger(count) || count < 1 || count > cpus.length) {
    throw new UsageError(`Cannot make ${count} lanes from ${cpus.length} CPUs (${formatCpuList(cpus)})`, {
      hint: `Use --lanes 1 to ${cpus.length}: every lane needs at least one core of its own.`,
    });
  }
  const portsPerLane = options.portsPerLane ?? 50;
  const base = options.basePort ?? (await pickBasePort(count * portsPerLane));
  if (base < 1024 || base + count * portsPerLane > 65535) {
    throw new UsageError(`Port range ${base}+${count * portsPerLane} is outside 1024-65535`, {
      hint: 'Pick a lower --base-port.',
    });
  }
  const lanes: Lane[] = splitCpus(cpus, count).map((laneCpus, index) => ({
    index,
    cpus: laneCpus,
    cpuList: formatCpuList(laneCpus),
    ports: Array.from({ length: portsPerLane }, (_, i) => base + index * portsPerLane + i),
  }));
  const cursors = new Map<Lane, number>();
  const queues = new Map<Lane, Promise<unknown>>();

  return {
    lanes,
    cpus,
    async acquirePort(lane) {
      const states = await portStates(lane.ports);
      const start = cursors.get(lane) ?? 0;
      for (let step = 0; step < lane.ports.length; step++) {
        const i = (start + step) % lane.ports.length;
        const port = lane.ports[i];
        const state = port === undefined ? undefined : states.get(port);
        if (port === undefined || !state) continue;
        if (!state.listening && state.established === 0 && state.other === 0) {
          // Rotate: the next iteration starts on the next port, away from this one's TIME_WAIT sockets.
          cursors.set(lane, i + 1);
          return port;
        }
      }
      return null;
    },
    withLane(lane, task) {
      const previous = queues.get(lane) ?? Promise.resolve();
      const run = previous.then(task, task);
      queues.set(
        lane,
        run.then(
          () => undefined,
          () => undefined,
        ),
      );
      return run;
    },
  };
}
