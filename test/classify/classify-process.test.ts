import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureBacktrace } from '../../src/classify/backtrace.js';
import { classifyProcess, type Expectations, type ProcessEnd } from '../../src/classify/classify-process.js';
import type { Outcome } from '../../src/classify/outcome.js';
import { Outcome as OutcomeSchema } from '../../src/classify/outcome.js';
import { sanitizerEnv, sanitizerExitCodes } from '../../src/classify/sanitizer-env.js';
import type { VariantName } from '../../src/compile/variants.js';
import { buildCrashers, type CrasherBinaries } from './build-crashers.js';

const iperfLike: Expectations = { cleanExitCodes: [0, 1], cleanSignals: [] };

let dir: string;
let original: CrasherBinaries;
let shifted: CrasherBinaries;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-crashers-'));
  [original, shifted] = await Promise.all([
    buildCrashers(join(dir, 'original')),
    buildCrashers(join(dir, 'shifted'), 3),
  ]);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs one crasher mode to its end, the way the storm runner does, and returns what it saw. */
async function run(binaries: CrasherBinaries, variant: VariantName, mode: string): Promise<ProcessEnd> {
  const started = performance.now();
  const result = await execa(binaries[variant], [mode], {
    reject: false,
    env: sanitizerEnv(variant),
    timeout: 20_000,
  });
  return {
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    stdout: result.stdout,
    stderr: result.stderr,
    durationMs: performance.now() - started,
    timedOut: false,
    timeoutMs: 20_000,
  };
}

/** Classifies one mode three times: twice from one build, once from the build with shifted lines. */
async function threeRuns(variant: VariantName, mode: string, expect = iperfLike): Promise<Outcome[]> {
  const ends = [
    await run(original, variant, mode),
    await run(original, variant, mode),
    await run(shifted, variant, mode),
  ];
  return ends.map((end) => OutcomeSchema.parse(classifyProcess(end, expect)));
}

function assertStable(outcomes: Outcome[]): string {
  const signatures = outcomes.map((outcome) => ('signature' in outcome ? outcome.signature : null));
  const [first] = signatures;
  expect(first).toBeTypeOf('string');
  expect(new Set(signatures).size).toBe(1);
  // No addresses, ids or line numbers: nothing that differs between runs or builds.
  expect(first).not.toMatch(/0x[0-9a-f]|\.c:\d+|pid=\d|\bT\d+\b/);
  return first ?? '';
}

const signatures = new Map<string, string>();

describe('classifyProcess on real sanitizer builds', () => {
  it('ASan heap-use-after-free: a sanitizer outcome, stable across runs and a line shift', async () => {
    const outcomes = await threeRuns('asan', 'use-after-free');
    const [first, , shiftedRun] = outcomes;
    if (first?.kind !== 'sanitizer' || shiftedRun?.kind !== 'sanitizer')
      throw new Error(`got ${first?.kind}`);
    expect(first.tool).toBe('asan');
    expect(first.reportKind).toBe('heap-use-after-free');
    expect(first.exitCode).toBe(sanitizerExitCodes.asan);
    expect(first.report).toContain('ERROR: AddressSanitizer: heap-use-after-free');
    expect(first.report).toContain('freed by thread T0 here');
    // The shifted build really moved the lines: the kept frames differ, the signature does not.
    expect(first.frames[0]).toMatch(/^use_after_free .*crashers\.c:\d+$/);
    expect(shiftedRun.frames[0]).not.toBe(first.frames[0]);
    const signature = assertStable(outcomes);
    expect(signature).toBe('asan:heap-use-after-free in use_after_free (crashers.c) < main (crashers.c)');
    signatures.set('use-after-free', signature);
  });

  it('ASan stack-buffer-overflow outranks the UBSan runtime errors printed before it', async () => {
    const outcomes = await threeRuns('asan', 'stack-buffer-overflow');
    const [first] = outcomes;
    if (first?.kind !== 'sanitizer') throw new Error(`got ${first?.kind}`);
    expect(first.reportKind).toBe('stack-buffer-overflow');
    expect(first.more).toBeGreaterThanOrEqual(1);
    expect(first.findings?.map((f) => f.tool)).toEqual(expect.arrayContaining(['asan', 'ubsan']));
    expect(first.findings?.[0]?.signature).toBe(first.signature);
    signatures.set('stack-buffer-overflow', assertStable(outcomes));
  });

  it('UBSan signed overflow is a finding although the process exits 0', async () => {
    const outcomes = await threeRuns('asan', 'signed-overflow');
    const [first] = outcomes;
    if (first?.kind !== 'sanitizer') throw new Error(`got ${first?.kind}`);
    expect(first.exitCode).toBe(0);
    expect(first.tool).toBe('ubsan');
    expect(first.reportKind).toBe('runtime error: signed integer overflow');
    expect(first.signature).toContain('signed_overflow (crashers.c)');
    signatures.set('signed-overflow', assertStable(outcomes));
  });

  it('TSan data race', async () => {
    const outcomes = await threeRuns('tsan', 'data-race');
    const [first] = outcomes;
    if (first?.kind !== 'sanitizer') throw new Error(`got ${first?.kind}`);
    expect(first.tool).toBe('tsan');
    expect(first.reportKind).toBe('data race');
    expect(first.report).toMatch(/^=+\nWARNING: ThreadSanitizer: data race/);
    signatures.set('data-race', assertStable(outcomes));
  });

  it('TSan signal-unsafe call: printf in a SIGTERM handler', async () => {
    const outcomes = await threeRuns('tsan', 'signal-unsafe');
    const [first] = outcomes;
    if (first?.kind !== 'sanitizer') throw new Error(`got ${first?.kind}`);
    expect(first.reportKind).toBe('signal-unsafe call inside of a signal');
    // The interceptor (malloc) and libc's stdio frames are skipped: the handler is what to fix.
    expect(first.signature).toMatch(/ in printing_handler \(crashers\.c\) < /);
    signatures.set('signal-unsafe', assertStable(outcomes));
  });

  it("TSan's can't-find-longjmp-buf CHECK, with its stack printed after later reports", async () => {
    const outcomes = await threeRuns('tsan', 'worker-longjmp');
    const [first] = outcomes;
    if (first?.kind !== 'sanitizer') throw new Error(`got ${first?.kind}`);
    expect(first.reportKind).toBe('cant find longjmp buf');
    expect(first.signature).toBe(
      'tsan:cant find longjmp buf in jumping_handler (crashers.c) < self_signalling_worker (crashers.c)',
    );
    expect(first.report).toContain('CHECK failed');
    expect(first.more).toBeGreaterThanOrEqual(1);
    signatures.set('worker-longjmp', assertStable(outcomes));
  });
});

describe('classifyProcess on plain builds', () => {
  it('SIGSEGV is a crash', async () => {
    const outcomes = await threeRuns('plain', 'segv');
    const [first] = outcomes;
    if (first?.kind !== 'crash') throw new Error(`got ${first?.kind}`);
    expect(first.signal).toBe('SIGSEGV');
    signatures.set('segv', assertStable(outcomes));
  });

  it('stack smashing with the normal exit 1 is a crash, not a clean exit', async () => {
    const outcomes = await threeRuns('plain', 'stack-smash');
    const [first] = outcomes;
    if (first?.kind !== 'crash') throw new Error(`got ${first?.kind}`);
    expect(first.exitCode).toBe(1);
    expect(first.signal).toBeNull();
    expect(first.signature).toBe('crash:stack smashing detected');
    expect(first.stderrHead).toContain('*** stack smashing detected ***: terminated');
    signatures.set('stack-smash', assertStable(outcomes));
  });

  it('an unexpected exit code is a bad exit whose signature ignores pids and ports', async () => {
    const outcomes = await threeRuns('plain', 'bad-exit');
    const [first] = outcomes;
    if (first?.kind !== 'bad-exit') throw new Error(`got ${first?.kind}`);
    expect(first.exitCode).toBe(3);
    expect(first.signature).toBe('exit:3 crashers: error - unable to bind to port N (pid N, fd ADDR)');
    signatures.set('bad-exit', assertStable(outcomes));
  });

  it('a normal exit with an expected code is clean', async () => {
    for (const outcome of await threeRuns('plain', 'clean')) {
      expect(outcome).toMatchObject({ kind: 'clean', exitCode: 0 });
    }
  });
});

/** Waits until the main thread of `pid` sleeps on a futex (the deadlock), bounded in time. */
async function waitForFutexWait(pid: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const wchan = await readFile(`/proc/${pid}/wchan`, 'utf8').catch(() => '');
    if (wchan.includes('futex')) return;
    await sleep(10);
  }
  throw new Error(`process ${pid} did not block on a futex within 5 s`);
}

async function processState(pid: number): Promise<string | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat === null ? null : stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/** Starts the deadlocking mode, takes its backtrace like the runner does on timeout, kills it, classifies. */
async function hangOnce(binaries: CrasherBinaries, variant: VariantName = 'plain'): Promise<Outcome> {
  const started = performance.now();
  const child = execa(binaries[variant], ['deadlock'], { reject: false, env: sanitizerEnv(variant) });
  const { pid } = child;
  if (pid === undefined) throw new Error('deadlock fixture did not start');
  await waitForFutexWait(pid);
  const backtrace = await captureBacktrace(pid);
  child.kill('SIGKILL');
  const result = await child;
  const end: ProcessEnd = {
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    stdout: result.stdout,
    stderr: result.stderr,
    durationMs: performance.now() - started,
    timedOut: true,
    backtrace,
    timeoutMs: 1000,
  };
  return OutcomeSchema.parse(classifyProcess(end, iperfLike));
}

describe('hangs', () => {
  it('a handler deadlocked on a lock is a hang whose signature names the wait and the handler', async () => {
    const outcomes = [await hangOnce(original), await hangOnce(original), await hangOnce(shifted)];
    const [first] = outcomes;
    if (first?.kind !== 'hang') throw new Error(`got ${first?.kind}`);
    expect(first.backtrace).toMatch(/^Thread 2 /m);
    expect(first.backtrace).toContain('<signal handler called>');
    expect(first.signature).toBe('hang:__lll_lock_wait < pthread_mutex_lock < locking_handler (crashers.c)');
    signatures.set('deadlock', assertStable(outcomes));
  });

  it('the same deadlock in a TSan build has the same signature: runtime frames are skipped', async () => {
    const outcome = await hangOnce(original, 'tsan');
    if (outcome.kind !== 'hang') throw new Error(`got ${outcome.kind}`);
    expect(outcome.backtrace).toContain('__tsan');
    expect(outcome.signature).toBe(signatures.get('deadlock'));
  });

  it('a process the harness SIGKILLed on purpose is clean; otherwise the kill is a crash', async () => {
    const child = execa(original.plain, ['deadlock'], { reject: false });
    const { pid } = child;
    if (pid === undefined) throw new Error('deadlock fixture did not start');
    await waitForFutexWait(pid);
    child.kill('SIGKILL');
    const result = await child;
    const end: ProcessEnd = {
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      stdout: result.stdout,
      stderr: result.stderr,
      durationMs: 1,
      timedOut: false,
      timeoutMs: 1000,
    };
    expect(classifyProcess(end, { cleanExitCodes: [0], cleanSignals: ['SIGKILL'] })).toMatchObject({
      kind: 'clean',
      signal: 'SIGKILL',
      exitCode: 137,
    });
    expect(classifyProcess(end, iperfLike)).toMatchObject({ kind: 'crash', signature: 'crash:SIGKILL' });
  });

  it('captureBacktrace never throws and never leaves the process stopped, even when gdb is cut short', async () => {
    const child = execa(original.plain, ['deadlock'], { reject: false });
    const { pid } = child;
    if (pid === undefined) throw new Error('deadlock fixture did not start');
    try {
      await waitForFutexWait(pid);
      const cut = await captureBacktrace(pid, { timeoutMs: 30 });
      expect(cut).toMatch(/\[sigstorm: gdb did not finish within 30 ms/);
      await sleep(50);
      expect(await processState(pid)).toBe('S');
      // After a cut-short attempt, a full one still works.
      expect(await captureBacktrace(pid)).toContain('locking_handler');
    } finally {
      child.kill('SIGKILL');
      await child;
    }
    const gone = await captureBacktrace(pid);
    expect(gone).toMatch(/\[sigstorm: gdb could not take a backtrace of process \d+/);
  });
});

describe('signatures', () => {
  it('distinct bugs have distinct signatures', () => {
    expect(signatures.size).toBe(10);
    expect(new Set(signatures.values()).size).toBe(signatures.size);
  });
});
