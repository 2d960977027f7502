import { constants } from 'node:os';
import type { ThreadAim } from '../workload/schema.js';
import type { Side } from '../workload/side.js';
import type { SignalName } from '../workload/signal-name.js';
import { sleepUntil } from './precise-sleep.js';
import type { SideProcess } from './side-process.js';
import { waitBlockedWriting } from './threads/blocked-writing.js';
import type { CensusThread, ThreadCensus } from './threads/census.schema.js';
import { takingOf } from './threads/signal-takers.js';
import { startRoutines } from './threads/start-routines.js';
import { tgkill, tgkillHelper } from './threads/tgkill.js';
import { takeCensus } from './threads/thread-census.js';

/** How long before the first signal the thread-naming stack snapshot is taken (eu-stack: ~30 ms). */
export const SNAPSHOT_LEAD_MS = 60;

export interface PlannedSignal {
  readonly signal: SignalName;
  /** The process a step signals when it is not the pattern's (workload step `to`). */
  readonly to?: Side;
  /** Gap before this signal (after the moment for the first), drawn from the workload's window. */
  readonly gapMs: number;
  /** The whole process, or one thread (tgkill); `each` picks thread (turn mod count). */
  readonly thread?: ThreadAim;
  readonly turn?: number;
  /** After the gap, wait (at most `untilMs`) for this condition of the judged side. */
  readonly until?: 'judged-blocked-writing';
  readonly untilMs?: number;
}

export interface DeliveredSignal extends PlannedSignal {
  /** When kill() was called, in ms after the first signal's planned time. */
  readonly atMs: number;
  /** `false` when the process (or the aimed thread) had already exited. */
  readonly delivered: boolean;
  /** The thread a thread-directed signal was aimed at. */
  readonly aimedAt?: { readonly tid: number; readonly role: string };
  /** Why a thread-directed signal was not sent although the process ran (no such thread). */
  readonly skipped?: string;
  /** Whether the `until` condition was reached before its bound. */
  readonly reached?: boolean;
}

export interface Delivery {
  readonly signals: DeliveredSignal[];
  /** Every thread's signal state right before the first signal, per side still running then. */
  readonly census: Partial<Record<Side, ThreadCensus>>;
}

/**
 * Delivers a pattern with millisecond-accurate gaps, after a census of the target's threads taken
 * right before the first signal. A 0 ms gap means back-to-back kill() calls in the same tick:
 * nothing else runs in between, so the signals are pending together.
 */
export async function deliverPattern(
  target: SideProcess,
  plan: readonly PlannedSignal[],
  startAt: number,
  signal?: AbortSignal,
  /** The judged side: its census too when it is not the signalled one, and what `until` watches. */
  judged: SideProcess | null = target,
  port = 0,
  /** The other process, for steps whose `to` names it. */
  peer: SideProcess | null = null,
  /** Take one stack snapshot of the censused processes before the first signal's time, to name their threads. */
  nameThreads = false,
): Promise<Delivery> {
  const processOf = (step: PlannedSignal): SideProcess | null =>
    step.to === undefined || step.to === target.side ? target : peer?.side === step.to ? peer : null;
  const alsoObserve = judged && judged !== target ? [judged] : [];
  const aimed = plan.some((s) => (s.thread ?? 'process') !== 'process');
  const helper = aimed ? await tgkillHelper() : null;
  const delivered: DeliveredSignal[] = [];
  let census: ThreadCensus | null = null;
  const censuses: Partial<Record<Side, ThreadCensus>> = {};
  // Shortly before the first signal, when the streams' threads run: a snapshot that ends in time
  // leaves the pattern's timing as it was (a slower one delays this one iteration's signals).
  const starts = new Map<number, string>();
  if (nameThreads) {
    const lead = startAt + (plan[0]?.gapMs ?? 0) - SNAPSHOT_LEAD_MS;
    if (lead > performance.now()) await sleepUntil(lead, signal);
    for (const p of [target, ...alsoObserve]) {
      const pid = p.programPid();
      if (pid !== undefined && p.running())
        for (const [tid, start] of await startRoutines(pid, signal)) starts.set(tid, start);
    }
  }
  // Each gap counts from when the previous kill() really ran, so a late timer never shortens a gap.
  let previous = startAt;
  for (const [index, step] of plan.entries()) {
    const due = previous + step.gapMs;
    if (due > performance.now()) await sleepUntil(due, signal);
    let reached: boolean | undefined;
    // In a sandbox `pid` is nsenter's: /proc, tgkill and the tracer need the program's own.
    const judgedPid = judged?.programPid();
    const targetPid = target.programPid();
    if (step.until && judged && judgedPid !== undefined) {
      const probe = { pid: judgedPid, side: judged.side, port };
      reached = await waitBlockedWriting(probe, performance.now() + (step.untilMs ?? 5000), signal);
    }
    if (index === 0) {
      census = targetPid !== undefined && target.running() ? takeCensus(targetPid, starts) : null;
      if (census) censuses[target.side] = census;
      for (const p of alsoObserve) {
        const otherPid = p.programPid();
        const other = otherPid !== undefined && p.running() ? takeCensus(otherPid, starts) : null;
        if (other) censuses[p.side] = other;
      }
    }
    const aim = step.thread ?? 'process';
    const to = processOf(step);
    const toPid = to?.programPid();
    let sent = false;
    let aimedAt: CensusThread | null = null;
    let skipped: string | undefined;
    if (to === null) {
      skipped = `no ${step.to} process in this iteration`;
    } else if (aim === 'process' || helper === null) {
      sent = to.running() && to.signal(step.signal);
    } else if (to.running() && toPid !== undefined) {
      // A later step (or one to the other process) aims with a fresh look: threads come and go.
      const threads = index === 0 && to === target ? census : takeCensus(toPid);
      aimedAt = threads ? pickThread(threads, aim, step.turn ?? 0, step.signal) : null;
      if (aimedAt) sent = tgkill(helper, toPid, aimedAt.tid, constants.signals[step.signal]);
      // A single-threaded build has no stream thread: there is nothing to hit, and the record says so.
      else if (threads) skipped = `no ${aim} thread: the process had ${describe(threads)}`;
    }
    previous = performance.now();
    delivered.push({
      ...step,
      to: to?.side ?? step.to ?? target.side,
      atMs: round(previous - startAt),
      delivered: sent,
      ...(aimedAt ? { aimedAt: { tid: aimedAt.tid, role: aimedAt.role } } : {}),
      ...(skipped ? { skipped } : {}),
      ...(reached === undefined ? {} : { reached }),
    });
  }
  return { signals: delivered, census: censuses };
}

/**
 * The thread an aim names. `stream` is the newest thread besides main that would run the signal's
 * handler, if any (the very thread a census finding names, whatever it runs: a stream worker or a
 * helper thread of its own), else the newest thread besides main: iperf3 starts its helper threads
 * (if any) before the streams, and one worker per stream at TEST_START.
 */
export function pickThread(
  census: ThreadCensus,
  aim: Exclude<ThreadAim, 'process'>,
  turn: number,
  signal?: string,
) {
  const { threads } = census;
  switch (aim) {
    case 'main':
      return threads.find((t) => t.role === 'main') ?? null;
    case 'stream': {
      const others = threads.filter((t) => t.role !== 'main');
      const handler =
        signal === undefined ? [] : others.filter((t) => takingOf(census, t, signal) === 'handler');
      return handler.at(-1) ?? others.at(-1) ?? null;
    }
    case 'each':
      return threads[turn % threads.length] ?? null;
    default: {
      const never: never = aim;
      throw new Error(`unknown thread aim ${String(never)}`);
    }
  }
}

function describe(census: ThreadCensus): string {
  const n = census.threads.length;
  return n === 1 ? 'only its main thread (a single-threaded build?)' : `${n} threads`;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
