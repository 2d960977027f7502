import { z } from 'zod';

/** signal_generate's `res` (include/trace/events/signal.h: TRACE_SIGNAL_*). */
export const generateResults = [
  'delivered',
  'ignored',
  'already-pending',
  'overflow-fail',
  'lose-info',
] as const;

/** What the kernel's signal tracepoints said about one signal of the pattern. */
export const TracedSignal = z.object({
  signal: z.string(),
  /** signal_generate's result: `already-pending` means it merged with one not yet taken. */
  generated: z.enum(generateResults),
  /** The thread whose signal_deliver took it (ran its handler or its default action); null: none did. */
  takenBy: z.object({ tid: z.number().int().positive(), role: z.string() }).nullable(),
  /**
   * Queued and never taken before the process exited (thread-directed at a thread that blocks it,
   * or blocked everywhere). null: cannot tell, because sigwait() and a fatal default action take a
   * signal without a signal_deliver event.
   */
  pendingAtExit: z.boolean().nullable(),
});
export type TracedSignal = z.infer<typeof TracedSignal>;

/** The signal trace of one iteration's signalled process, or why there is none. */
export const SignalTrace = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('traced'),
    /** One entry per pattern signal that reached a live process, in order. */
    signals: z.array(TracedSignal),
    /** Other signals delivered to the process's threads during the iteration (e.g. SIGSEGV: which thread crashed). */
    others: z.array(z.object({ signal: z.string(), tid: z.number().int().positive(), role: z.string() })),
  }),
  z.object({ kind: z.literal('off'), why: z.string() }),
]);
export type SignalTrace = z.infer<typeof SignalTrace>;
