import { z } from 'zod';

/**
 * What /proc/PID/task/<tid>/status said about every thread of the signalled process just before
 * the first signal of the pattern. Signal sets are names (`SIGTERM`, `SIG33`), decoded from the masks.
 */
export const CensusThread = z.object({
  tid: z.number().int().positive(),
  /** `main`: the thread group leader (tid = pid); the others `thread-1`, `thread-2`… in creation (tid) order. */
  role: z.string(),
  /** /proc/PID/task/<tid>/comm. */
  name: z.string(),
  /** The function the thread started in (its stack's outermost own frame), from a stack snapshot of the cell's first iteration. */
  start: z.string().optional(),
  /** SigBlk: the thread's blocked set. */
  blocked: z.array(z.string()),
  /** SigPnd: signals pending on this thread only (tgkill, or a fault). */
  pending: z.array(z.string()),
  /** /proc/PID/task/<tid>/wchan: where the thread sleeps in the kernel (`do_sigtimedwait` in sigwait); `0` when running. */
  wchan: z.string().optional(),
});
export type CensusThread = z.infer<typeof CensusThread>;

export const ThreadCensus = z.object({
  pid: z.number().int().positive(),
  /** SigCgt: signals with a handler (process-wide). */
  caught: z.array(z.string()),
  /** SigIgn: ignored signals (process-wide). */
  ignored: z.array(z.string()),
  /** ShdPnd: signals pending on the process, for any thread that does not block them. */
  sharedPending: z.array(z.string()),
  threads: z.array(CensusThread),
});
export type ThreadCensus = z.infer<typeof ThreadCensus>;

/**
 * How a thread takes a signal the kernel hands it: runs the `handler` asynchronously, takes it
 * synchronously in `sigwait` (unblocked only while it waits, no handler), dies by the `default`
 * action, or never (`blocked`; `ignored` for the whole process).
 */
export const takings = ['handler', 'sigwait', 'default', 'blocked', 'ignored'] as const;
export const Taking = z.enum(takings);
export type Taking = z.infer<typeof Taking>;

export const CensusRow = z.object({
  role: z.string(),
  name: z.string(),
  /** The function the thread started in, when a stack snapshot named it (threads align by it). */
  start: z.string().optional(),
  /** Signal → how this thread takes it, for the signals the summary watches. */
  takes: z.record(z.string(), Taking),
});
export type CensusRow = z.infer<typeof CensusRow>;

/** One side's census in a storm summary: the mask table of its first census, and whether later ones agreed. */
export const CensusSummary = z.object({
  /** Iterations with a census. */
  iterations: z.number().int().nonnegative(),
  /** The first census's threads, main first. */
  rows: z.array(CensusRow),
  /** Termination signal → roles of the threads that can run its handler asynchronously (first census). */
  handlerThreads: z.record(z.string(), z.array(z.string())),
  /** Most threads able to run a termination signal's handler in any census of the storm. */
  maxHandlerThreads: z.record(z.string(), z.number().int().nonnegative()),
  caught: z.array(z.string()),
  ignored: z.array(z.string()),
});
export type CensusSummary = z.infer<typeof CensusSummary>;
