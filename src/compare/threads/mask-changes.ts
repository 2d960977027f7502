import type { CensusSummary } from '../../storm/threads/census.schema.js';
import { terminationSignals } from '../../storm/threads/signal-takers.js';
import { namesByRole } from '../../storm/threads/thread-names.js';

/**
 * What changed between base's and head's signal masks and dispositions, read from the census of the
 * first iteration on each side: deterministic, no rate needed.
 */
export type MaskChange =
  | {
      /** More (or fewer) threads can run a termination signal's handler asynchronously. */
      readonly kind: 'handler-threads';
      readonly direction: 'more' | 'fewer';
      /** The termination signals whose handler threads changed alike. */
      readonly signals: readonly string[];
      readonly base: readonly string[];
      readonly head: readonly string[];
      readonly sentence: string;
      /** What it means for iperf3, one sentence. */
      readonly why: string;
    }
  | {
      /** A signal's process-wide disposition changed (ignored, caught, default). */
      readonly kind: 'disposition';
      readonly signal: string;
      readonly base: Disposition;
      readonly head: Disposition;
      /** `risk`: head no longer ignores SIGPIPE; shown and steering, never a verdict by itself. */
      readonly weight: 'risk' | 'note';
      readonly sentence: string;
    };

export type Disposition = 'ignored' | 'caught' | 'default';

function dispositionOf(census: CensusSummary, signal: string): Disposition {
  if (census.ignored.includes(signal)) return 'ignored';
  return census.caught.includes(signal) ? 'caught' : 'default';
}

/** Threads, named as a person reads them: `main`, `main and 4 other threads`, `no thread`. */
export function describeThreads(roles: readonly string[], names?: ReadonlyMap<string, string>): string {
  if (roles.length === 0) return 'no thread';
  const main = roles.includes('main');
  const others = roles.length - (main ? 1 : 0);
  const what = names
    ? startsOf(
        roles.filter((r) => r !== 'main'),
        names,
      )
    : '';
  const rest =
    others === 0 ? '' : `${others} other thread${others === 1 ? '' : 's'}${what ? ` (${what})` : ''}`;
  if (main && rest) return `main and ${rest}`;
  return main ? 'main only' : rest;
}

/** `stream_worker ×2, idle_reporter`: the start routines of named threads; empty when none is named. */
function startsOf(roles: readonly string[], names: ReadonlyMap<string, string>): string {
  const counts = new Map<string, number>();
  for (const role of roles) {
    const name = names.get(role);
    if (!name || name === role) continue;
    const start = name.replace(/ #\d+$/, '');
    counts.set(start, (counts.get(start) ?? 0) + 1);
  }
  return [...counts].map(([start, n]) => (n > 1 ? `${start} ×${n}` : start)).join(', ');
}

/** Start routines of head's handler threads that no thread of base started in. */
function newStarts(
  head: readonly string[],
  headNames: ReadonlyMap<string, string>,
  base: CensusSummary,
): string[] {
  const baseStarts = new Set(base.rows.flatMap((r) => (r.start ? [r.start] : [])));
  if (baseStarts.size === 0) return [];
  const fresh = head.flatMap((role) => {
    const start = headNames.get(role)?.replace(/ #\d+$/, '');
    return start && start !== role && !baseStarts.has(start) ? [start] : [];
  });
  return [...new Set(fresh)];
}

/** Signals glibc keeps for itself (SIG32, SIG33) and real-time ones: not the program's choice. */
const internal = /^SIG\d+$/;

export function maskChanges(base: CensusSummary, head: CensusSummary): MaskChange[] {
  const changes: MaskChange[] = [];
  const handlers: Extract<MaskChange, { kind: 'handler-threads' }>[] = [];
  for (const signal of terminationSignals) {
    const b = base.handlerThreads[signal] ?? [];
    const h = head.handlerThreads[signal] ?? [];
    // The most seen in any iteration: one census taken while main briefly blocked would mislead.
    const bMax = base.maxHandlerThreads[signal] ?? b.length;
    const hMax = head.maxHandlerThreads[signal] ?? h.length;
    if (hMax === bMax) continue;
    const direction = hMax > bMax ? 'more' : 'fewer';
    const same = handlers.find((c) => c.direction === direction && same2(c.base, b) && same2(c.head, h));
    if (same) {
      handlers[handlers.indexOf(same)] = { ...same, signals: [...same.signals, signal] };
      continue;
    }
    handlers.push({
      kind: 'handler-threads',
      direction,
      signals: [signal],
      base: b,
      head: h,
      sentence: '',
      why: '',
    });
  }
  const baseNames = namesByRole(base.rows);
  const headNames = namesByRole(head.rows);
  for (const c of handlers) {
    const names = c.signals.join('/');
    const fresh = c.direction === 'more' ? newStarts(c.head, headNames, base) : [];
    const newText =
      fresh.length === 0
        ? ''
        : `: new thread${fresh.length === 1 ? '' : 's'} ${fresh.map((s) => `\`${s}\``).join(', ')} take${fresh.length === 1 ? 's' : ''} ${names} with the handler`;
    changes.push({
      ...c,
      sentence: `head lets ${describeThreads(c.head, headNames)} run the ${names} handler asynchronously (base: ${describeThreads(c.base, baseNames)})${newText}`,
      why:
        c.direction === 'more'
          ? `a thread other than main that takes ${names} runs a handler written for main: iperf3's longjmp then lands on another thread's stack`
          : `fewer threads can be interrupted by the ${names} handler`,
    });
  }
  const watched = new Set([...base.caught, ...base.ignored, ...head.caught, ...head.ignored]);
  for (const signal of [...watched].sort()) {
    if (internal.test(signal) || (terminationSignals as readonly string[]).includes(signal)) continue;
    const b = dispositionOf(base, signal);
    const h = dispositionOf(head, signal);
    if (b === h) continue;
    const risk = signal === 'SIGPIPE' && b === 'ignored';
    changes.push({
      kind: 'disposition',
      signal,
      base: b,
      head: h,
      weight: risk ? 'risk' : 'note',
      sentence: risk
        ? `head no longer ignores SIGPIPE (base does): a write to a vanished peer kills the process unless every send uses MSG_NOSIGNAL; the client-peer-lost and peer-stalled workloads exercise it`
        : `${signal} is ${h} in head, ${b} in base`,
    });
  }
  return changes;
}

function same2(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
