// What a figure was measured on: the machine, and how busy it was. Every bench records a Conditions at
// its start and end, so that a figure taken while others were using the cores says so.
import { cpus, loadavg, totalmem } from 'node:os';
import { allowedCpus } from '../src/storm/cpus.js';

export interface Machine {
  readonly cpuModel: string;
  /** CPUs this process may run on (its affinity mask). */
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
}

export interface Conditions {
  readonly at: string;
  /** 1, 5 and 15 minute load averages. */
  readonly loadAverage: readonly [number, number, number];
}

export function describeMachine(): Machine {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: allowedCpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

export function conditionsNow(): Conditions {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return { at: new Date().toISOString(), loadAverage: [one, five, fifteen] };
}

export function formatMachine(m: Machine): string {
  return `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}`;
}

export const formatLoad = (c: Conditions) => c.loadAverage.map((x) => x.toFixed(2)).join(' / ');

/**
 * A load average above the core count means runnable processes waited for a CPU: timing figures
 * (iterations per second, build and storm seconds) are then slower than on an idle machine.
 */
export function loadNote(start: Conditions, end: Conditions, cores: number, timed = true): string {
  const worst = Math.max(start.loadAverage[0], end.loadAverage[0]);
  const busy = !timed
    ? ' (statistics only: load does not change these figures)'
    : worst > cores
      ? ` — busier than ${cores} cores can serve: timings are slower than on an idle machine`
      : worst > cores / 2
        ? ' — partly busy: timings may be somewhat slower than on an idle machine'
        : '';
  return `load average (1/5/15 min) ${formatLoad(start)} at start, ${formatLoad(end)} at end${busy}`;
}
