import { z } from 'zod';
import { Side } from './side.js';
import { SignalName } from './signal-name.js';

/**
 * The workload file format. This schema is the single source of truth: defaults live here,
 * the JSON Schema in schemas/workload.schema.json is generated from it (scripts/write-schemas.ts),
 * and docs/workloads.md describes the same fields.
 */

/** Placeholders an argument template may use; anything else in braces is an error. */
export const placeholders = ['port', 'host', 'streams', 'seconds', 'rate'] as const;
export type Placeholder = (typeof placeholders)[number];

const Millis = z.number().int().nonnegative();

/** `[min, max]` in milliseconds; a random value inside is drawn per iteration from the seed. */
function msWindow(min: number, description: string) {
  return z
    .tuple([z.number().int().min(min), z.number().int().min(min)])
    .refine(([lo, hi]) => lo <= hi, { message: 'the window must be [min, max] with min <= max' })
    .describe(description);
}

/** A gap: a fixed number of milliseconds, or a `[min, max]` window drawn per iteration. */
const Gap = z
  .union([Millis, msWindow(0, 'random gap window [min, max] in ms')], {
    error: 'expected milliseconds: a non-negative integer or a window [min, max]',
  })
  .transform((gap): [number, number] => (typeof gap === 'number' ? [gap, gap] : gap));

const ArgsTemplate = z
  .string()
  .min(1)
  .superRefine((template, ctx) => {
    for (const match of template.matchAll(/\{([^}]*)\}/g)) {
      const name = match[1] ?? '';
      if (!(placeholders as readonly string[]).includes(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown placeholder {${name}}: use one of ${placeholders.map((p) => `{${p}}`).join(' ')}`,
        });
      }
    }
    if (!template.includes('{port}')) {
      ctx.addIssue({
        code: 'custom',
        message: 'the template must contain {port} (each iteration gets its own)',
      });
    }
  })
  .describe('iperf3 arguments, split on whitespace, with {port} {host} {streams} {seconds} {rate} filled in');

/** Where a signal is aimed: the whole process (the kernel picks the thread) or one thread with tgkill(2). */
export const threadAims = ['process', 'main', 'stream', 'each'] as const;
export const ThreadAim = z.enum(threadAims);
export type ThreadAim = z.infer<typeof ThreadAim>;

const PatternStep = z
  .object({
    signal: SignalName.describe('the signal to deliver'),
    to: Side.optional().describe(
      "the process this step signals (default: signal.to): e.g. SIGSTOP the judged sender, SIGKILL its peer, SIGCONT the sender, so that the sender's stream threads meet the closed connections before its main thread does",
    ),
    thread: ThreadAim.default('process').describe(
      'process: kill(2), the kernel picks the thread; main: tgkill(2) to the thread group leader; stream: tgkill to the newest other thread (in iperf3 the worker of the last stream); each: tgkill to thread number (iteration mod thread count), main first, the others in creation order',
    ),
    afterMs: Gap.prefault(0).describe(
      'gap before this signal: after the chosen moment for the first step, after the previous signal for the others; 0 = back-to-back kill() calls',
    ),
    until: z
      .enum(['judged-blocked-writing'])
      .optional()
      .describe(
        "after the gap, also wait (at most untilMs) until the judged side's unsent bytes on the port stand still above zero while it sleeps: the peer has stopped reading and every socket buffer is full",
      ),
    untilMs: z
      .number()
      .int()
      .min(1)
      .max(60_000)
      .default(5000)
      .describe('bound of the `until` wait; the record says whether the condition was reached'),
  })
  .strict();
export type PatternStep = z.output<typeof PatternStep>;

const SignalSpec = z
  .object({
    to: Side.describe('the process that receives the pattern'),
    pattern: z.array(PatternStep).min(1).max(32).describe('signals delivered in order'),
  })
  .strict();

const At = z
  .discriminatedUnion('moment', [
    z
      .object({
        moment: z.literal('established'),
        delayMs: msWindow(0, 'delay after every stream is established').default([50, 400]),
      })
      .strict()
      .describe('mid-transfer: after all streams are established (observed), plus a random delay'),
    z
      .object({
        moment: z.literal('setup'),
        delayMs: msWindow(0, 'delay after the control connection is established').default([0, 5]),
      })
      .strict()
      .describe('during connection setup: after the control connection is up, while the streams connect'),
    z
      .object({
        moment: z.literal('end'),
        delayMs: msWindow(-60_000, 'offset from the planned end of the transfer (may be negative)').default([
          -150, 50,
        ]),
      })
      .strict()
      .describe('near the end of the test (results exchange): `seconds` after the streams are established'),
    z
      .object({
        moment: z.literal('idle'),
        delayMs: msWindow(0, 'delay after the server listens').default([0, 50]),
      })
      .strict()
      .describe('an idle server: listening, no client is started'),
  ])
  .describe('when the pattern starts');

const ExitCodes = z.array(z.number().int().min(0).max(255)).min(1);

const Peer = z
  .object({
    exits: z
      .enum(['on-its-own', 'stopped-by-sigstorm'])
      .default('on-its-own')
      .describe(
        'on-its-own: the peer must exit by itself within hangTimeoutMs (else it is a peer hang); stopped-by-sigstorm: sigstorm sends it SIGTERM once the judged side has exited',
      ),
    cleanExitCodes: ExitCodes.optional().describe("the peer's clean exit codes (default: cleanExitCodes)"),
  })
  .strict()
  .describe('the side that is not judged: its outcome is recorded as evidence');

const common = {
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes')
    .describe('the workload name; must equal the file name without .yaml'),
  description: z.string().min(1).describe('what this workload exercises and why it exists'),
  host: z
    .enum(['127.0.0.1', '::1', 'localhost'])
    .default('127.0.0.1')
    .describe('loopback only: storms never leave the machine'),
  streams: z.number().int().min(1).max(128).default(4).describe('parallel streams, {streams} (iperf3 -P)'),
  seconds: z.number().int().min(1).max(3600).default(10).describe('transfer length, {seconds} (iperf3 -t)'),
};

export const StormWorkload = z
  .object({
    kind: z.literal('storm'),
    ...common,
    rate: z
      .string()
      .regex(/^\d+(\.\d+)?[KMG]?$/, 'use an iperf3 bitrate such as 100M')
      .default('100M')
      .describe(
        'per-stream bitrate, {rate} (iperf3 -b): rate-limited so that lanes do not starve each other',
      ),
    server: z
      .object({ args: ArgsTemplate.default('-s -1 -p {port}') })
      .strict()
      .prefault({}),
    client: z
      .object({ args: ArgsTemplate.default('-c {host} -p {port} -P {streams} -t {seconds} -b {rate}') })
      .strict()
      .prefault({})
      .describe('not started when at.moment is idle'),
    signal: SignalSpec,
    judge: Side.optional().describe('the side whose outcome is the verdict (default: signal.to)'),
    at: At.prefault({ moment: 'established' }),
    pin: z
      .enum(['none', 'one-core-each', 'same-core'])
      .default('none')
      .describe(
        "CPU placement inside the lane's cores: none = both processes move freely over all of them (finds the races); one-core-each / same-core hide most of them",
      ),
    cleanExitCodes: ExitCodes.default([0, 1]).describe('exit codes of the judged side that count as clean'),
    peer: Peer.prefault({}),
    followUp: z
      .object({
        args: ArgsTemplate.default('-c {host} -p {port} -P 1 -t 1 -b {rate}'),
        seconds: z
          .number()
          .int()
          .min(1)
          .max(60)
          .default(1)
          .describe('the follow-up test length, for its time bound'),
      })
      .strict()
      .optional()
      .describe(
        'a persistent server (-s without -1) must still serve: once the signalled client has exited, a second client runs this short test, then sigstorm sends the server SIGTERM; a failed follow-up is the stuck-server outcome',
      ),
    hangTimeoutMs: z
      .number()
      .int()
      .min(100)
      .max(600_000)
      .default(3000)
      .describe('time allowed after the last signal before a process still running counts as a hang'),
  })
  .strict()
  .superRefine((w, ctx) => {
    const judge = w.judge ?? w.signal.to;
    if (
      w.followUp &&
      (judge !== 'server' || w.signal.to !== 'client' || /(^|\s)-1(\s|$)/.test(w.server.args))
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['followUp'],
        message:
          'followUp needs a persistent server (server.args without -1), signal.to client and judge server',
      });
    }
    if (w.at.moment === 'idle' && (w.signal.to !== 'server' || judge !== 'server')) {
      ctx.addIssue({
        code: 'custom',
        path: ['at', 'moment'],
        message: 'idle has no client: signal.to and judge must be server',
      });
    }
  })
  .describe('A signal storm: start server and client, deliver a signal pattern at a chosen moment');
export type StormWorkload = z.output<typeof StormWorkload>;
export type StormWorkloadInput = z.input<typeof StormWorkload>;

export const ThroughputWorkload = z
  .object({
    kind: z.literal('throughput'),
    ...common,
    seconds: common.seconds
      .default(3)
      .describe('measured length of one run, after the warm-up ({seconds} is this plus warmup: iperf3 -t)'),
    warmup: z
      .number()
      .int()
      .min(0)
      .max(60)
      .default(1)
      .describe(
        "seconds at the start of each run left out of its figure (TCP slow start, cold caches), cut from iperf3's per-interval output as -O would",
      ),
    runs: z
      .number()
      .int()
      .min(1)
      .max(200)
      .default(40)
      .describe(
        'budget: runs per side at most; base and head run in ABBA pairs and stop early once the interval of the change clears the thresholds (docs/throughput.md)',
      ),
    server: z
      .object({ args: ArgsTemplate.default('-s -1 -p {port}') })
      .strict()
      .prefault({}),
    client: z
      .object({ args: ArgsTemplate.default('-c {host} -p {port} -P {streams} -t {seconds} -J') })
      .strict()
      .prefault({})
      .describe('must produce iperf3 -J output'),
    pin: z
      .enum(['none', 'one-core-each', 'same-core'])
      .default('one-core-each')
      .describe('throughput runs are pinned so that run-to-run spread stays small'),
  })
  .strict()
  .describe('A throughput measurement from iperf3 -J output');
export type ThroughputWorkload = z.output<typeof ThroughputWorkload>;
export type ThroughputWorkloadInput = z.input<typeof ThroughputWorkload>;

export const WorkloadFile = z.discriminatedUnion('kind', [StormWorkload, ThroughputWorkload]);
export type Workload = z.output<typeof WorkloadFile>;
export type WorkloadInput = z.input<typeof WorkloadFile>;

/** The side whose outcome is the verdict. */
export function judgedSide(w: StormWorkload): Side {
  return w.judge ?? w.signal.to;
}

/** The process a pattern step signals: its own `to`, else the pattern's. */
export function stepTarget(w: StormWorkload, step: PatternStep): Side {
  return step.to ?? w.signal.to;
}

/** The signals of the pattern that go to `side`, in order. */
export function signalsTo(w: StormWorkload, side: Side): PatternStep['signal'][] {
  return w.signal.pattern.filter((s) => stepTarget(w, s) === side).map((s) => s.signal);
}

/** workloads/sets.yaml: named lists of workloads; `default` runs when none are named. */
export const WorkloadSets = z
  .object({
    default: z.array(z.string()).min(1).describe('the workloads that run when none are named'),
  })
  .catchall(z.array(z.string()).min(1))
  .describe('Named sets of workloads');
export type WorkloadSets = z.output<typeof WorkloadSets>;
