import { splitLines } from './normalise.js';
import { cleanFunctionName, type Frame, frameLabel, isRuntimeFrame } from './stack-frames.js';

/** One thread of gdb's `thread apply all bt`, frames top first; `null` marks `<signal handler called>`. */
export interface GdbThread {
  readonly header: string;
  readonly frames: readonly (Frame | null)[];
}

const threadHeader = /^Thread \d+ /;
const frameLine = /^#\d+\s+(?:0x[0-9a-fA-F]+ in )?(\S.*?) \((.*)$/;

function gdbFunctionName(raw: string): string {
  return cleanFunctionName(raw)
    .replace(/^__GI_/, '')
    .replace(/^___(pthread_\w+)$/, '$1')
    .replace(
      /^__libc_(malloc|free|calloc|realloc|pause|read|write|recv|send|accept|connect|select|poll|nanosleep|sigsuspend|sigwait)$/,
      '$1',
    );
}

function parseFrame(line: string): Frame | null | undefined {
  if (/^#\d+\s+<signal handler called>/.test(line)) return null;
  const match = frameLine.exec(line);
  if (!match) return undefined;
  const tail = match[2] ?? '';
  const at = / at (\S+):(\d+)$/.exec(tail);
  const from = / from (\S+)$/.exec(tail);
  return {
    fn: gdbFunctionName(match[1] ?? ''),
    file: at?.[1] ?? null,
    line: at ? Number(at[2]) : null,
    module: from ? (from[1]?.split('/').pop() ?? null) : null,
  };
}

/** Splits gdb's output into threads; lines before the first `Thread N` header are gdb's chatter. */
export function parseGdbBacktrace(text: string): GdbThread[] {
  const threads: { header: string; frames: (Frame | null)[] }[] = [];
  for (const line of splitLines(text)) {
    if (threadHeader.test(line)) {
      threads.push({ header: line.trim(), frames: [] });
      continue;
    }
    const current = threads[threads.length - 1];
    if (!current) continue;
    const frame = parseFrame(line.trim());
    if (frame !== undefined) current.frames.push(frame);
  }
  return threads;
}

// Layers between a blocked call and the kernel that say nothing about where the program waits.
const plumbing = new Set([
  'futex_wait',
  'futex_wait_simple',
  'futex_abstimed_wait',
  'futex_abstimed_wait_cancelable',
  '__futex_abstimed_wait_common',
  '__futex_abstimed_wait_common64',
  '__futex_abstimed_wait_cancelable64',
  'lll_mutex_lock_optimized',
  '__syscall_cancel_arch',
  '__syscall_cancel',
  '__internal_syscall_cancel',
  'syscall',
  '__pthread_kill_implementation',
  '__pthread_kill_internal',
  'pthread_kill',
  'raise',
]);
const roots = new Set(['start_thread', 'clone', 'clone3', '__clone', '__clone3', '_start']);
const waitingOnLock = /lock|join|cond_|sem_wait|flockfile/;

type Step = string | null;

/** The thread's frames as labels, plumbing and roots dropped; `null` still marks a signal frame. */
function steps(thread: GdbThread): Step[] {
  const out: Step[] = [];
  for (const frame of thread.frames) {
    // TSan calls deferred handlers from its own code, without a kernel signal frame: mark those too.
    if (frame === null || frame.fn.endsWith('CallUserSignalHandler')) {
      out.push(null);
      continue;
    }
    if (frame.fn === '' || plumbing.has(frame.fn) || roots.has(frame.fn)) continue;
    if (frame.fn.startsWith('__libc_start') || isRuntimeFrame(frame)) continue;
    const label = frameLabel(frame);
    if (out[out.length - 1] !== label) out.push(label);
  }
  return out;
}

/**
 * Where a thread waits, in at most three frames: the blocking call, then — when the thread is inside
 * a signal handler — the two frames that lead from the handler to it (`__lll_lock_wait_private < malloc <
 * handler`), otherwise its two callers. Where the signal interrupted the thread is left out: it varies.
 */
function waitSite(thread: Step[]): string {
  const handlerAt = thread.indexOf(null);
  const labels = (handlerAt >= 0 ? thread.slice(0, handlerAt) : thread).filter(
    (s): s is string => s !== null,
  );
  if (labels.length <= 3) return labels.join(' < ');
  if (handlerAt >= 0) return [labels[0], ...labels.slice(-2)].join(' < ');
  return labels.slice(0, 3).join(' < ');
}

/**
 * A stable signature for a hang from gdb's all-thread backtraces: the wait sites of the threads that
 * matter (threads inside a signal handler; else threads waiting on a lock or a join; else every thread),
 * deduplicated and sorted so that thread numbering and count do not change it.
 */
export function hangSignature(backtrace: string): string {
  const threads = parseGdbBacktrace(backtrace).map(steps);
  if (threads.length === 0) return 'hang:no backtrace';
  const inHandler = threads.filter((t) => t.includes(null));
  const onLock = threads.filter((t) => typeof t[0] === 'string' && waitingOnLock.test(t[0]));
  const chosen = inHandler.length > 0 ? inHandler : onLock.length > 0 ? onLock : threads;
  const sites = [...new Set(chosen.map(waitSite).filter((site) => site !== ''))].sort();
  return `hang:${sites.length > 0 ? sites.join(' | ') : 'no frames'}`;
}
