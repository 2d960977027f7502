import { describe, expect, it } from 'vitest';
import { createValidateProgress } from '../../src/cli/validate-progress.js';
import type { ValidateProgress } from '../../src/pipeline/request/contract.js';

function sink() {
  const written: string[] = [];
  const stream = { write: (s: string) => written.push(s) > 0, columns: 200 } as unknown as NodeJS.WriteStream;
  return { written, stream };
}

const storm = (message: string, notice?: boolean): ValidateProgress => ({
  phase: 'storm',
  message,
  iterationsDone: 0,
  iterationsTotal: 100,
  cellsDone: 0,
  cellsTotal: 28,
  ...(notice ? { notice } : {}),
});

describe('validate progress', () => {
  it('in a log, keeps a notice (the budget plan) that the 5 s rate limit would drop', () => {
    const { written, stream } = sink();
    const progress = createValidateProgress('lines', stream);
    progress.update(storm('first batch'));
    progress.update(storm('second batch'));
    progress.update(storm('budget: the looks of 28 cells need about 9 min', true));
    progress.finish();
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(/first batch\n$/);
    expect(written[1]).toMatch(
      /^\[storm\] 0 iterations, cells settled 0\/28 · 0s · budget: the looks of 28 cells/,
    );
  });

  it('on a terminal, prints a notice on a line of its own instead of redrawing it away', () => {
    const { written, stream } = sink();
    const progress = createValidateProgress('tty', stream);
    progress.update(storm('budget: 24 of 28 can reach theirs', true));
    progress.update(storm('next batch'));
    progress.finish();
    expect(written[0]?.startsWith('\r\u001b[K[storm]')).toBe(true);
    expect(written[0]).toMatch(/budget: 24 of 28 can reach theirs\n$/);
    expect(written.join('')).toMatch(/next batch\n$/);
  });

  it('shows the expected finish the pipeline estimates, as it changes', () => {
    const { written, stream } = sink();
    const progress = createValidateProgress('lines', stream);
    progress.update({ ...storm('budget: 10 min for storms and throughput', true), expectedLeftMs: 540_000 });
    progress.update({
      ...storm('budget: the looks of 28 cells need about 5 min', true),
      expectedLeftMs: 400_000,
    });
    progress.finish();
    expect(written[0]).toMatch(
      /^\[storm\] 0 iterations, cells settled 0\/28 · 0s · about 9 min left · budget: 10 min/,
    );
    expect(written[1]).toMatch(/ · about 7 min left · budget: the looks/);
  });

  it('in a log, writes the line of every cell that settles, even within 5 s of the last line', () => {
    const { written, stream } = sink();
    const progress = createValidateProgress('lines', stream);
    progress.update(storm('first batch'));
    progress.update(storm('a: base 0 of 10, head 9 of 10 failed so far'));
    progress.update({ ...storm("a: base 0 of 20, head 19 of 20 failed: head's odds"), cellsDone: 1 });
    progress.update({ ...storm('b: base 0 of 10, head 0 of 10 failed so far'), cellsDone: 1 });
    progress.finish();
    expect(written).toHaveLength(2);
    expect(written[1]).toMatch(
      /^\[storm\] 0 iterations, cells settled 1\/28 · .*head 19 of 20 failed: head's odds\n$/,
    );
  });
});
