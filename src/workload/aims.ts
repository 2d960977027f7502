import { judgedSide, type StormWorkload, stepTarget, type ThreadAim } from './schema.js';
import type { Side } from './side.js';
import { terminationSignals } from './signal-name.js';

/**
 * What a cell's signal pattern aims at, as a census finding reads it: `vanishing-peer`, the judged
 * side's peer is SIGKILLed (the writes that follow hit a closed connection: where a SIGPIPE that is
 * no longer ignored kills); `other-threads`, a termination signal is aimed with tgkill at a thread
 * other than main (where a handler written for main runs on the wrong stack).
 */
export const cellAims = ['vanishing-peer', 'other-threads'] as const;
export type CellAim = (typeof cellAims)[number];

/** One step as a workload or an iteration record has it; `to` is the process it signals. */
export interface AimedStep {
  readonly signal: string;
  readonly to?: Side;
  readonly thread?: ThreadAim;
}

/** The aims of a pattern's steps for the judged side, in cellAims order. */
export function aimsOf(steps: readonly AimedStep[], judged: Side): CellAim[] {
  const aims = new Set<CellAim>();
  for (const s of steps) {
    if (s.signal === 'SIGKILL' && s.to !== undefined && s.to !== judged) aims.add('vanishing-peer');
    if (
      (terminationSignals as readonly string[]).includes(s.signal) &&
      (s.thread === 'stream' || s.thread === 'each')
    )
      aims.add('other-threads');
  }
  return cellAims.filter((a) => aims.has(a));
}

/** The aims of a workload. */
export function workloadAims(w: StormWorkload): CellAim[] {
  return aimsOf(
    w.signal.pattern.map((s) => ({ ...s, to: stepTarget(w, s) })),
    judgedSide(w),
  );
}
