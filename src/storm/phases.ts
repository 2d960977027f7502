import { z } from 'zod';

/**
 * Where one iteration's wall time went, in ms: consecutive phases of `runIteration`, so that they
 * add up to the record's `durationMs` (bench/iteration-breakdown.ts prints them). Only iterations
 * that got as far as judging carry them.
 */
export const IterationPhases = z.object({
  /** Port of the lane's range and CPU placement. */
  setupMs: z.number().nonnegative(),
  /** spawn() until the program itself runs (its `comm` is the binary's), server and client added. */
  startMs: z.number().nonnegative(),
  /** The rest of readiness: until the server listens and the moment's connections are established. */
  readyMs: z.number().nonnegative(),
  /** From the anchor to the first kill(): the drawn delay (plus the census, and a late timer). */
  delayMs: z.number().nonnegative(),
  /** First kill() to the last: the pattern's gaps. */
  patternMs: z.number().nonnegative(),
  /** Last signal until every process has exited (a follow-up client, a hang's backtraces included). */
  exitMs: z.number().nonnegative(),
  /** Shutdown checks (port released), the signal trace, classification. */
  checksMs: z.number().nonnegative(),
  /** Every process group killed, the sandbox swept, the groups checked gone. */
  cleanupMs: z.number().nonnegative(),
});
export type IterationPhases = z.infer<typeof IterationPhases>;

export const phaseNames = Object.keys(IterationPhases.shape) as (keyof IterationPhases)[];

/** performance.now() at each boundary; a mark the iteration never reached is left out. */
export interface PhaseMarks {
  t0: number;
  serverSpawn?: number;
  serverExec?: number;
  clientSpawn?: number;
  clientExec?: number;
  anchor?: number;
  firstSignal?: number;
  lastSignal?: number;
  exited?: number;
  judged?: number;
  cleaned?: number;
}

const span = (from: number, to: number): number => Math.max(0, Math.round((to - from) * 10) / 10);

/** The phases of an iteration that reached its end; `undefined` when a mark is missing. */
export function phasesOf(m: PhaseMarks): IterationPhases | undefined {
  const { serverSpawn, anchor, firstSignal, lastSignal, exited, judged, cleaned } = m;
  if (
    serverSpawn === undefined ||
    anchor === undefined ||
    firstSignal === undefined ||
    lastSignal === undefined ||
    exited === undefined ||
    judged === undefined ||
    cleaned === undefined
  ) {
    return undefined;
  }
  const serverStart = span(serverSpawn, m.serverExec ?? serverSpawn);
  const clientStart = m.clientSpawn === undefined ? 0 : span(m.clientSpawn, m.clientExec ?? m.clientSpawn);
  const start = Math.min(serverStart + clientStart, span(serverSpawn, anchor));
  return {
    setupMs: span(m.t0, serverSpawn),
    startMs: start,
    readyMs: span(serverSpawn, anchor) - start,
    delayMs: span(anchor, firstSignal),
    patternMs: span(firstSignal, lastSignal),
    exitMs: span(lastSignal, exited),
    checksMs: span(exited, judged),
    cleanupMs: span(judged, cleaned),
  };
}
