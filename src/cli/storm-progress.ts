import { emptyOutcomeCounts, isFailure, outcomeKinds } from '../classify/outcome.js';
import type { IterationRecord } from '../storm/record.js';

export type ProgressMode = 'tty' | 'lines' | 'quiet';

export interface StormProgress {
  record(record: IterationRecord): void;
  /** Stops redrawing and leaves the last state on screen. */
  finish(): void;
}

export interface StormProgressOptions {
  readonly mode: ProgressMode;
  readonly label: string;
  readonly total: number;
  readonly stream?: NodeJS.WriteStream;
}

/** `1m05s`, `42s`: short enough for one terminal line. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Iterations done, rate, outcomes so far and time left: redrawn in place at most 10 times a second
 * on a terminal, one plain line every 5 seconds otherwise (CI logs), nothing when quiet.
 */
export function createStormProgress(options: StormProgressOptions): StormProgress {
  const stream = options.stream ?? process.stderr;
  const counts = emptyOutcomeCounts();
  const started = performance.now();
  let done = 0;
  let failures = 0;
  let dirty = true;
  if (options.mode === 'quiet') return { record: () => undefined, finish: () => undefined };

  const line = (): string => {
    const elapsed = performance.now() - started;
    const rate = done / Math.max(elapsed / 1000, 0.001);
    const left = rate > 0 ? formatDuration(((options.total - done) / rate) * 1000) : '?';
    const outcomes = outcomeKinds
      .filter((kind) => counts[kind] > 0)
      .map((kind) => `${kind} ${counts[kind]}`)
      .join(' · ');
    return `${options.label}  ${done}/${options.total}  ${rate.toFixed(1)} it/s  ${outcomes || 'no outcomes yet'}${failures > 0 ? ' !' : ''}  ${formatDuration(elapsed)} elapsed, ~${left} left`;
  };
  const draw = (): void => {
    if (!dirty && options.mode === 'tty') return;
    dirty = false;
    if (options.mode === 'tty') stream.write(`\r\x1b[K${line().slice(0, (stream.columns || 120) - 1)}`);
    else stream.write(`${line()}\n`);
  };
  const timer = setInterval(draw, options.mode === 'tty' ? 100 : 5000);
  timer.unref();
  if (options.mode === 'tty') draw();

  return {
    record(record) {
      done++;
      counts[record.target.outcome.kind]++;
      if (isFailure(record.target.outcome)) failures++;
      dirty = true;
    },
    finish() {
      clearInterval(timer);
      dirty = true;
      draw();
      if (options.mode === 'tty') stream.write('\n');
    },
  };
}
