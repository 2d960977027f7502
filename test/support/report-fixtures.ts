import { emptyOutcomeCounts, type OutcomeCounts, type OutcomeKind } from '../../src/classify/outcome.js';
import { compare } from '../../src/compare/compare.js';
import type {
  CellInput,
  SideObservation,
  SignatureObservation,
  ThroughputInput,
} from '../../src/compare/input.js';
import type { BatchPair } from '../../src/compare/sequential/decide-cell.js';
import type { VariantName } from '../../src/compile/variants.js';
import { defaultThresholds, type Thresholds } from '../../src/config/thresholds.schema.js';
import { buildReport } from '../../src/report/build-report.js';
import type { BuildInfoInput, NotRun, Report } from '../../src/report/report.schema.js';
import type { Side } from '../../src/workload/side.js';

/**
 * Realistic comparison inputs for the report tests, shaped like what storms of the bundled subject
 * produce (signature texts, evidence and repro commands in the storm's formats). Fixed data, so that
 * snapshots are stable; the statistics on them are computed by the code under test.
 */

export const asanSegvReport = `=================================================================
==40211==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000008 (pc 0x5581f0a1c2d3 bp 0x7f1e2b7fdcf0 sp 0x7f1e2b7fdc80 T3)
==40211==The signal is caused by a READ memory access.
==40211==Hint: address points to the zero page.
    #0 0x5581f0a1c2d3 in iperf_send_stream src/iperf_api.c:1893
    #1 0x5581f0a1b8e0 in worker_thread src/iperf_client_api.c:212
    #2 0x7f1e2f2a8043 in start_thread nptl/pthread_create.c:442
    #3 0x7f1e2f3285fb in clone3 ../sysdeps/unix/sysv/linux/x86_64/clone3.S:81

AddressSanitizer can not provide additional info.
SUMMARY: AddressSanitizer: SEGV src/iperf_api.c:1893 in iperf_send_stream
Thread T3 created by T0 here:
    #0 0x7f1e2f47c726 in pthread_create ../../../../src/libsanitizer/asan/asan_interceptors.cpp:207
    #1 0x5581f0a1b9ff in iperf_create_streams src/iperf_client_api.c:260
==40211==ABORTING`;

export const segvStderr = `iperf3: interrupt - the client has terminated
Segmentation fault (longjmp from worker thread T2: jump buffer of T0)`;

export const tsanSignalUnsafe = `==================
WARNING: ThreadSanitizer: signal-unsafe call inside of a signal (pid=51234)
    #0 malloc ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:647
    #1 vfprintf <null>
    #2 iperf_err src/iperf_error.c:66
    #3 sig_handler src/main.c:141
    #4 worker_thread src/iperf_client_api.c:208

SUMMARY: ThreadSanitizer: signal-unsafe call inside of a signal src/iperf_error.c:66 in iperf_err
==================`;

export const tsanRace = `==================
WARNING: ThreadSanitizer: data race (pid=51234)
  Write of size 4 at 0x7b0c00000040 by main thread (mutexes: write M0):
    #0 iperf_set_done src/iperf_api.c:4410
  Previous read of size 4 at 0x7b0c00000040 by thread T1:
    #0 worker_thread src/iperf_client_api.c:199
SUMMARY: ThreadSanitizer: data race src/iperf_api.c:4410 in iperf_set_done
==================`;

/** A gdb hang backtrace with Markdown-hostile text: backtick runs, pipes, angle brackets. */
export const hangBacktrace = `Thread 2 (Thread 0x7f5c2b7fe6c0 (LWP 9121) "iperf3"):
#0  futex_wait (private=0, expected=2, futex_word=0x7f5c2f41fa40 <_IO_stdfile_1_lock>) at ../sysdeps/nptl/futex-internal.h:146
#1  __GI___lll_lock_wait_private () at ./nptl/lowlevellock.c:34
#2  0x00007f5c2f2c1b0b in __vfprintf_internal (s=0x7f5c2f41e780 <_IO_2_1_stdout_>, format=0x5561e3 "\`\`\`%s | %d\`\`\`", ...) at vfprintf-internal.c:1375
#3  sig_handler (sig=15) at src/main.c:143
Thread 1 (Thread 0x7f5c2f1d0740 (LWP 9120) "iperf3"):
#0  __pthread_kill_implementation () at ./nptl/pthread_kill.c:44
</details> <b>not html</b>`;

const repro = (variant: VariantName, workload: string, seed: number, iteration: number) =>
  `node bin/sigstorm.js storm --binary ~/.cache/sigstorm/builds/3f9c2e1/${variant}/src/iperf3 --variant ${variant} --workload ${workload} --seed ${seed} --only-iteration ${iteration} --cpus 0,1`;

export function signature(
  s: Partial<SignatureObservation> &
    Pick<SignatureObservation, 'signature' | 'kind' | 'count' | 'excerpt' | 'evidence'> & {
      variant: VariantName;
      workload: string;
    },
): SignatureObservation {
  const { variant, workload, ...rest } = s;
  const first = rest.firstIteration ?? 3;
  return {
    side: 'server',
    role: 'target',
    family: null,
    firstIteration: first,
    repro: repro(variant, workload, 1234, first),
    // Unless a test says which: the `count` iterations from the first one on.
    iterations: Array.from({ length: rest.count }, (_, i) => first + i),
    ...rest,
  };
}

function side(
  batches: readonly BatchPair[],
  tree: 'base' | 'head',
  failureKind: OutcomeKind,
  signatures: readonly SignatureObservation[],
  extra: Partial<SideObservation> & { harnessErrors?: number } = {},
): SideObservation {
  const n = batches.reduce((a, b) => a + b[tree].n, 0);
  const failures = batches.reduce((a, b) => a + b[tree].failures, 0);
  const outcomes: OutcomeCounts = { ...emptyOutcomeCounts(), clean: n - failures, [failureKind]: failures };
  outcomes['harness-error'] = extra.harnessErrors ?? 0;
  return {
    outcomes,
    peerOutcomes: { ...emptyOutcomeCounts(), clean: n + outcomes['harness-error'] },
    signatures,
    cleanExitCodes: n - failures > 0 ? { '0': n - failures } : {},
    peerCleanExitCodes: { '0': n },
    ...extra,
  };
}

export const repeat = (times: number, base: number, head: number, n = 10): BatchPair[] =>
  Array.from({ length: times }, () => ({ base: { n, failures: base }, head: { n, failures: head } }));

export function cell(c: {
  workload: string;
  variant: VariantName;
  side?: Side;
  batches: BatchPair[];
  sequential?: boolean;
  failureKind?: OutcomeKind;
  base?: readonly SignatureObservation[];
  head?: readonly SignatureObservation[];
  baseExtra?: Partial<SideObservation> & { harnessErrors?: number };
  headExtra?: Partial<SideObservation> & { harnessErrors?: number };
}): CellInput {
  const kind = c.failureKind ?? 'crash';
  return {
    workload: c.workload,
    variant: c.variant,
    side: c.side ?? 'server',
    base: side(c.batches, 'base', kind, c.base ?? [], c.baseExtra),
    head: side(c.batches, 'head', kind, c.head ?? [], c.headExtra),
    ...(c.sequential === false ? {} : { batches: c.batches }),
  };
}

const segv = (workload: string, count: number, variant: VariantName = 'plain') =>
  signature({
    workload,
    variant,
    signature: 'crash:SIGSEGV in longjmp < sig_handler < worker_thread',
    kind: 'crash',
    family: 'SIGSEGV',
    count,
    excerpt: 'SIGSEGV: iperf3: interrupt - the client has terminated',
    evidence: segvStderr,
  });

/** The same worker-signal crash seen another way: the longjmp lands on a dead frame's canary. */
const stackSmashing = (workload: string, count: number, firstIteration: number) =>
  signature({
    workload,
    variant: 'plain',
    signature: 'crash:stack smashing detected',
    kind: 'crash',
    family: 'SIGABRT',
    count,
    firstIteration,
    excerpt: '*** stack smashing detected ***: terminated',
    evidence: '*** stack smashing detected ***: terminated\nAborted (core dumped)',
  });

const asanSegv = (workload: string, count: number) =>
  signature({
    workload,
    variant: 'asan',
    signature: 'asan:SEGV in iperf_send_stream < worker_thread',
    kind: 'sanitizer',
    family: 'asan: SEGV',
    count,
    excerpt: 'asan: SEGV in iperf_send_stream src/iperf_api.c:1893',
    evidence: asanSegvReport,
  });

const race = (workload: string, count: number, tree: 'base' | 'head') =>
  signature({
    workload,
    variant: 'tsan',
    signature: 'tsan:data race between iperf_set_done and worker_thread',
    kind: 'sanitizer',
    family: 'tsan: data race',
    count,
    firstIteration: tree === 'base' ? 0 : 1,
    excerpt: 'tsan: data race in iperf_set_done src/iperf_api.c:4410',
    evidence: tsanRace,
  });

const signalUnsafe = (workload: string, count: number) =>
  signature({
    workload,
    variant: 'tsan',
    signature: 'tsan:signal-unsafe call inside of a signal in iperf_err < sig_handler',
    kind: 'sanitizer',
    family: 'tsan: signal-unsafe call inside of a signal',
    count,
    firstIteration: 4,
    excerpt: 'tsan: signal-unsafe call inside of a signal in malloc',
    evidence: tsanSignalUnsafe,
  });

export const baseBuild: BuildInfoInput = {
  label: 'subject@main',
  repo: null,
  ref: 'main',
  commit: '3f9c2e1a77d04b8e9a0c4d5e6f708192a3b4c5d6',
  patches: [],
  variants: [
    {
      variant: 'plain',
      binary: '~/.cache/sigstorm/builds/3f9c2e1/plain/src/iperf3',
      cached: true,
      buildMs: 0,
    },
    { variant: 'asan', binary: '~/.cache/sigstorm/builds/3f9c2e1/asan/src/iperf3', cached: true, buildMs: 0 },
  ],
};

export const headBuild = (patch: string): BuildInfoInput => ({
  label: `subject@main + ${patch}`,
  repo: null,
  ref: 'main',
  commit: '3f9c2e1a77d04b8e9a0c4d5e6f708192a3b4c5d6',
  patches: [`patches/${patch}`],
  variants: [
    {
      variant: 'plain',
      binary: '~/.cache/sigstorm/builds/8be1d07/plain/src/iperf3',
      cached: false,
      buildMs: 21450,
    },
    {
      variant: 'asan',
      binary: '~/.cache/sigstorm/builds/8be1d07/asan/src/iperf3',
      cached: false,
      buildMs: 38210,
    },
  ],
});

const steady = (gbps: number, spread: readonly number[]) => spread.map((s) => (gbps + s) * 1e9);

export const neutralThroughput: ThroughputInput[] = [
  {
    workload: 'tcp-4streams',
    variant: 'plain',
    base: steady(41.2, [0.3, -0.4, 0.1, 0.5, -0.2]),
    head: steady(41.1, [0.2, 0.4, -0.3, -0.1, 0.3]),
  },
];

/** base vs unblocked-worker-signals.patch: crashes in plain and ASan, a new TSan kind. */
/** A validation's comparison inputs plus what the report adds (as the pipeline hands them over). */
export interface Scenario {
  readonly base: BuildInfoInput;
  readonly head: BuildInfoInput;
  readonly cells: readonly CellInput[];
  readonly throughput: readonly ThroughputInput[];
  readonly notRun?: readonly NotRun[];
  readonly thresholds?: Thresholds;
  readonly generatedAt?: string;
  readonly sigstormVersion?: string;
}

/** Compares a scenario and builds its report, as the pipeline does. */
export function reportOf(scenario: Scenario): Report {
  const { cells, throughput, ...rest } = scenario;
  return buildReport({
    ...rest,
    comparison: compare(cells, throughput, scenario.thresholds ?? defaultThresholds),
  });
}

export function regressionScenario() {
  const burst = 'server-burst';
  return {
    base: baseBuild,
    head: headBuild('unblocked-worker-signals.patch'),
    cells: [
      cell({
        workload: burst,
        variant: 'plain',
        batches: repeat(6, 0, 3),
        head: [segv(burst, 12), stackSmashing(burst, 6, 40)],
      }),
      cell({
        workload: burst,
        variant: 'asan',
        batches: repeat(3, 0, 7),
        failureKind: 'sanitizer',
        head: [asanSegv(burst, 21)],
      }),
      cell({
        workload: burst,
        variant: 'tsan',
        batches: repeat(3, 10, 10),
        failureKind: 'sanitizer',
        base: [race(burst, 30, 'base')],
        head: [race(burst, 30, 'head'), signalUnsafe(burst, 9)],
      }),
      cell({ workload: 'client-term', variant: 'plain', side: 'client', batches: repeat(60, 0, 0) }),
    ],
    throughput: neutralThroughput,
    notRun: [{ what: 'client-term (asan, tsan)', why: 'variants not in the pr profile' }] satisfies NotRun[],
  };
}

/** unblocked-worker-signals.patch as base vs + sigwait-thread.patch: the crashes are fixed. */
export function improvementScenario() {
  const burst = 'server-burst';
  return {
    base: { ...baseBuild, label: 'subject@main + unblocked-worker-signals.patch' },
    head: headBuild('sigwait-thread.patch'),
    cells: [
      cell({ workload: burst, variant: 'plain', batches: repeat(5, 3, 0), base: [segv(burst, 15)] }),
      cell({
        workload: burst,
        variant: 'asan',
        batches: repeat(4, 7, 0),
        failureKind: 'sanitizer',
        base: [asanSegv(burst, 28)],
      }),
    ],
    throughput: neutralThroughput,
    notRun: [] satisfies NotRun[],
  };
}

/** base vs help-text.patch: nothing changes; TSan races persist on both sides. */
export function neutralScenario() {
  const burst = 'server-burst';
  return {
    base: baseBuild,
    head: headBuild('help-text.patch'),
    cells: [
      cell({ workload: burst, variant: 'plain', batches: repeat(60, 0, 0) }),
      cell({ workload: burst, variant: 'asan', batches: repeat(30, 0, 0) }),
      cell({
        workload: burst,
        variant: 'tsan',
        batches: repeat(15, 10, 10),
        failureKind: 'sanitizer',
        base: [race(burst, 150, 'base')],
        head: [race(burst, 150, 'head')],
      }),
    ],
    throughput: neutralThroughput,
    notRun: [] satisfies NotRun[],
  };
}

/** A run cut short: too few iterations, harness errors, too few throughput runs. */
export function inconclusiveScenario() {
  return {
    base: baseBuild,
    head: headBuild('help-text.patch'),
    cells: [
      cell({
        workload: 'server-burst',
        variant: 'plain',
        batches: repeat(1, 0, 0),
        baseExtra: { interrupted: true },
      }),
      cell({
        workload: 'server-int-term',
        variant: 'plain',
        batches: repeat(5, 0, 0),
        headExtra: { harnessErrors: 20 },
      }),
    ],
    throughput: [{ ...(neutralThroughput[0] as ThroughputInput), base: [4.1e10, 4.2e10, 4.0e10] }],
    notRun: [
      { what: 'server-burst (asan, tsan)', why: 'cancelled by /sigstorm cancel after 1 batch' },
    ] satisfies NotRun[],
  };
}

/** base vs slow-send.patch: stable, 20% slower, and an exit-code change on SIGTERM. */
export function throughputRegressionScenario() {
  return {
    base: baseBuild,
    head: headBuild('slow-send.patch'),
    cells: [
      cell({
        workload: 'server-burst',
        variant: 'plain',
        batches: repeat(60, 0, 0),
        baseExtra: { cleanExitCodes: { '1': 600 } },
        headExtra: { cleanExitCodes: { '0': 600 } },
      }),
    ],
    throughput: [
      {
        workload: 'tcp-4streams',
        variant: 'plain' as const,
        base: steady(41.2, [0.3, -0.4, 0.1, 0.5, -0.2]),
        head: steady(33.0, [0.2, 0.4, -0.3, -0.1, 0.3]),
      },
      {
        workload: 'tcp-1stream',
        variant: 'plain' as const,
        base: steady(18.4, [0.2, -0.1, 0.1, 0.3, -0.3]),
        head: steady(14.9, [0.1, 0.2, -0.2, 0.0, 0.1]),
        failedRuns: { base: 0, head: 1 },
      },
    ],
    notRun: [] satisfies NotRun[],
  };
}

/** A hang signature with Markdown-hostile evidence, new in head. */
export function hangSignature(workload: string, count: number): SignatureObservation {
  return signature({
    workload,
    variant: 'plain',
    signature: 'hang:futex_wait < __vfprintf_internal < sig_handler',
    kind: 'hang',
    family: 'hang',
    count,
    excerpt: 'no exit within 5000 ms: futex_wait | `printf` in sig_handler <stdout lock>',
    evidence: hangBacktrace,
  });
}
