import type { ValidateProgress } from '../pipeline/request/contract.js';
import { aboutLeft } from '../pipeline/schedule/validation-budget.js';
import type { ProgressMode } from './storm-progress.js';
import { formatDuration } from './storm-progress.js';

/**
 * The validation's progress on stderr: one line redrawn in place on a terminal (at most 10 times a
 * second), otherwise a line at each phase change, at each cell settled (its decision is in the log)
 * and at most one every 5 seconds otherwise (CI logs).
 */
export function createValidateProgress(mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr) {
  const started = performance.now();
  let last: ValidateProgress | null = null;
  let lastPhase: string | null = null;
  let lastLineAt = 0;
  let lastCellsDone = 0;
  let dirty = false;
  const text = (p: ValidateProgress): string => {
    const elapsed = formatDuration(performance.now() - started);
    const counts =
      p.phase === 'storm'
        ? ` ${p.iterationsDone} iterations, cells settled ${p.cellsDone}/${p.cellsTotal} ·`
        : p.phase === 'throughput'
          ? ` ${p.iterationsDone}/${p.iterationsTotal} ·`
          : '';
    // The whole validation's expected time left (builds aside), when the pipeline has an estimate.
    const left = p.expectedLeftMs === undefined ? '' : ` · ${aboutLeft(p.expectedLeftMs)}`;
    return `[${p.phase}]${counts} ${elapsed}${left} · ${p.message}`;
  };
  const draw = (): void => {
    if (!last || !dirty) return;
    dirty = false;
    stream.write(`\r\x1b[K${text(last).slice(0, (stream.columns || 120) - 1)}`);
  };
  const timer = mode === 'tty' ? setInterval(draw, 100) : null;
  timer?.unref();
  return {
    update(p: ValidateProgress): void {
      if (mode === 'quiet') return;
      last = p;
      if (mode === 'tty') {
        if (p.notice) stream.write(`\r\x1b[K${text(p)}\n`);
        dirty = true;
        return;
      }
      const now = performance.now();
      const settled = p.phase === 'storm' && p.cellsDone > lastCellsDone;
      if (p.notice || settled || p.phase !== lastPhase || now - lastLineAt >= 5000) {
        stream.write(`${text(p)}\n`);
        lastPhase = p.phase;
        lastLineAt = now;
        if (p.phase === 'storm') lastCellsDone = p.cellsDone;
      }
    },
    finish(): void {
      if (timer) clearInterval(timer);
      if (mode === 'tty' && last) {
        dirty = true;
        draw();
        stream.write('\n');
      }
    },
  };
}
