import { z } from 'zod';

/**
 * What one process did in one storm iteration. A failure is data, not an exception:
 * every iteration ends in exactly one of these, for the signalled side and for its peer.
 */
const base = {
  /** Wall time from spawn to exit (or to the hang verdict), in milliseconds. */
  durationMs: z.number().nonnegative(),
  /** The first lines of stderr, trimmed; evidence shown in reports. */
  stderrHead: z.array(z.string()),
};

export const CleanOutcome = z.object({
  kind: z.literal('clean'),
  /** The exit code; for a death by a signal the harness sent on purpose, 128 + the signal's number. */
  exitCode: z.number().int(),
  /** Set when the process died by a signal the workload counts as clean (e.g. SIGKILL of the peer). */
  signal: z.string().optional(),
  ...base,
});

export const CrashOutcome = z.object({
  kind: z.literal('crash'),
  /** e.g. SIGSEGV, SIGABRT; `null` when the process exited normally but printed a fatal marker. */
  signal: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  /** Stable across runs: the signal (or marker) plus the top frames when known. */
  signature: z.string(),
  ...base,
});

/** One distinct sanitizer finding of a process, by signature (a process may print many reports). */
export const SanitizerFinding = z.object({
  tool: z.enum(['asan', 'ubsan', 'tsan', 'lsan']),
  reportKind: z.string(),
  signature: z.string(),
  /** How many reports of the process had this signature. */
  count: z.number().int().positive(),
});
export type SanitizerFinding = z.infer<typeof SanitizerFinding>;

export const SanitizerOutcome = z.object({
  kind: z.literal('sanitizer'),
  tool: z.enum(['asan', 'ubsan', 'tsan', 'lsan']),
  /** The report's kind, e.g. `heap-use-after-free`, `data race`, `signal-unsafe call inside of a signal`. */
  reportKind: z.string(),
  /** Stable across runs: tool, kind and the top frames of the first stack, without addresses. */
  signature: z.string(),
  /** The symbolised top frames of the first stack of the report. */
  frames: z.array(z.string()),
  /**
   * The full text of the primary report: the most severe one (a fatal error before a UBSan runtime
   * error before a data race before a leak), the first one among equals.
   */
  report: z.string(),
  /** How many further reports the process printed besides the primary one. */
  more: z.number().int().nonnegative().default(0),
  /** Every distinct finding of the process, the primary one first: compare new/fixed on all of them. */
  findings: z.array(SanitizerFinding).optional(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  ...base,
});

export const HangOutcome = z.object({
  kind: z.literal('hang'),
  timeoutMs: z.number().int().positive(),
  /** Stable across runs: where the threads were waiting. */
  signature: z.string(),
  /** All-thread backtraces taken with gdb before the process was killed (`thread apply all bt`). */
  backtrace: z.string(),
  /** Sanitizer reports the process printed before it hung (the hang is the verdict; these are evidence). */
  findings: z.array(SanitizerFinding).optional(),
  ...base,
});

export const BadExitOutcome = z.object({
  kind: z.literal('bad-exit'),
  exitCode: z.number().int(),
  signature: z.string(),
  ...base,
});

/** With -J, the judged side's stdout after a signal is not one JSON document (iperf3 promises its partial results). */
export const BadOutputOutcome = z.object({
  kind: z.literal('bad-output'),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  /** What is wrong with the document, e.g. `stdout is empty: no JSON document`. */
  problem: z.string(),
  /** Stable across runs: `bad-output:` and the problem without offsets. */
  signature: z.string(),
  /** The start of stdout, as evidence. */
  stdoutHead: z.string(),
  ...base,
});

/** A persistent server that no longer serves the next client after its client was signalled or killed. */
export const StuckServerOutcome = z.object({
  kind: z.literal('stuck-server'),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  signature: z.string(),
  /** How the follow-up client ended: its exit, or the time bound. */
  followUp: z.object({
    exitCode: z.number().int().nullable(),
    signal: z.string().nullable(),
    timedOut: z.boolean(),
    stderrHead: z.array(z.string()),
  }),
  ...base,
});

/** A process still holds the server's port after every process of the iteration exited. */
export const PortHeldOutcome = z.object({
  kind: z.literal('port-held'),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  signature: z.string(),
  port: z.number().int().positive(),
  /** What the kernel showed on the port after the exits (TIME_WAIT and other closing states are fine). */
  listening: z.boolean(),
  established: z.number().int().nonnegative(),
  /** The processes holding the port's listening sockets, as /proc showed them. */
  holders: z.array(z.object({ pid: z.number().int().positive(), comm: z.string() })),
  ...base,
});

export const HarnessErrorOutcome = z.object({
  kind: z.literal('harness-error'),
  /** What the harness could not do: never blamed on the code under test. */
  reason: z.string(),
  ...base,
});

export const Outcome = z.discriminatedUnion('kind', [
  CleanOutcome,
  CrashOutcome,
  SanitizerOutcome,
  HangOutcome,
  BadExitOutcome,
  BadOutputOutcome,
  StuckServerOutcome,
  PortHeldOutcome,
  HarnessErrorOutcome,
]);
export type Outcome = z.infer<typeof Outcome>;
export type OutcomeKind = Outcome['kind'];

/**
 * How the verdict counts each kind: the one definition of "failure". `satisfies` makes a new kind
 * a compile error here until it is classed; every list and predicate below derives from this table.
 */
export type OutcomeClass = 'clean' | 'failure' | 'not-judged';
export const outcomeClass = {
  clean: 'clean',
  crash: 'failure',
  sanitizer: 'failure',
  hang: 'failure',
  'bad-exit': 'failure',
  'bad-output': 'failure',
  'stuck-server': 'failure',
  'port-held': 'failure',
  /** What the harness could not do is never blamed on the code under test. */
  'harness-error': 'not-judged',
} as const satisfies Record<OutcomeKind, OutcomeClass>;

/** Every outcome kind, in the order reports list them. */
export const outcomeKinds = Object.keys(outcomeClass) as [OutcomeKind, ...OutcomeKind[]];

/** Counts by outcome class; every class is always present. */
export type OutcomeCounts = Record<OutcomeKind, number>;

export function emptyOutcomeCounts(): OutcomeCounts {
  return Object.fromEntries(outcomeKinds.map((kind) => [kind, 0])) as OutcomeCounts;
}

/** A zod object with one `count` field per outcome kind (storm summaries, reports). */
export function outcomeCountsSchema<T extends z.ZodTypeAny>(count: T) {
  return z.object(Object.fromEntries(outcomeKinds.map((kind) => [kind, count])) as Record<OutcomeKind, T>);
}

/** A failure of the code under test (harness errors are not). */
export function isFailure(outcome: Outcome): boolean {
  return outcomeClass[outcome.kind] === 'failure';
}

/** Judged outcomes and failures among counts by kind (not-judged kinds are in neither). */
export function judgedOf(counts: Readonly<OutcomeCounts>): { judged: number; failures: number } {
  let judged = 0;
  let failures = 0;
  for (const kind of outcomeKinds) {
    const cls: OutcomeClass = outcomeClass[kind];
    if (cls === 'not-judged') continue;
    judged += counts[kind];
    if (cls === 'failure') failures += counts[kind];
  }
  return { judged, failures };
}

/** The `never` default of an exhaustive switch over outcomes: a new kind fails to compile there. */
export function unhandledKind(outcome: never): never {
  throw new Error(`unhandled outcome kind: ${JSON.stringify((outcome as { kind?: unknown }).kind)}`);
}
