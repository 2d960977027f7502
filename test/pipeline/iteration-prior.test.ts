import { describe, expect, it } from 'vitest';
import { definitionWaitsMs, iterationPriorMs } from '../../src/pipeline/schedule/iteration-prior.js';
import { StormWorkload, type StormWorkloadInput } from '../../src/workload/schema.js';

/** A user's own definition, parsed as a workload file is (every default filled in). */
const workload = (more: Partial<StormWorkloadInput> = {}): StormWorkload =>
  StormWorkload.parse({
    kind: 'storm',
    name: 'mine',
    description: 'a user-defined storm',
    signal: { to: 'server', pattern: [{ signal: 'SIGTERM' }] },
    ...more,
  });

describe('iterationPriorMs', () => {
  it('gives a definition with only the required fields a finite prior, the variants in cost order', () => {
    const w = workload();
    // The default moment (established) waits its default delay window [50, 400] on average.
    expect(definitionWaitsMs(w)).toBe(225);
    const plain = iterationPriorMs(w, 'plain');
    expect(Number.isFinite(plain)).toBe(true);
    expect(plain).toBeGreaterThan(225);
    expect(iterationPriorMs(w, 'asan')).toBeGreaterThan(plain);
    expect(iterationPriorMs(w, 'tsan')).toBeGreaterThan(iterationPriorMs(w, 'asan'));
    // A sanitizer stretches the processes' part, not the definition's waits: far below 2× plain.
    expect(iterationPriorMs(w, 'asan')).toBeLessThan(1.5 * plain);
    // Over two lanes (a batch runs on both), as the measured rates are: half.
    expect(iterationPriorMs(w, 'plain', 2)).toBe(plain / 2);
  });

  it('grows with the delay window and the pattern gaps, by their expected values', () => {
    const at = (delayMs: [number, number]) => workload({ at: { moment: 'established', delayMs } });
    expect(iterationPriorMs(at([500, 1500]), 'plain') - iterationPriorMs(at([50, 400]), 'plain')).toBe(775);
    const gaps = workload({
      signal: {
        to: 'server',
        pattern: [
          { signal: 'SIGTERM' },
          { signal: 'SIGTERM', afterMs: 300 },
          { signal: 'SIGKILL', afterMs: [0, 100] },
        ],
      },
    });
    expect(iterationPriorMs(gaps, 'asan') - iterationPriorMs(workload(), 'asan')).toBe(350);
  });

  it("prices the moment: the end's transfer, an idle server without a client", () => {
    const end = workload({ seconds: 2, at: { moment: 'end', delayMs: [-100, 100] } });
    expect(definitionWaitsMs(end)).toBe(2000);
    const idle = workload({ at: { moment: 'idle', delayMs: [0, 50] } });
    // No client is started: cheaper than the same wait with one.
    const established = workload({ at: { moment: 'established', delayMs: [0, 50] } });
    expect(iterationPriorMs(idle, 'plain')).toBeLessThan(iterationPriorMs(established, 'plain'));
  });

  it('waits for a stalled peer at the stream rate, at most untilMs', () => {
    const stalled = (rate: string, untilMs: number) =>
      workload({
        rate,
        judge: 'server',
        signal: {
          to: 'client',
          pattern: [{ signal: 'SIGSTOP' }, { signal: 'SIGKILL', until: 'judged-blocked-writing', untilMs }],
        },
      });
    const fast = definitionWaitsMs(stalled('100M', 60_000));
    const slow = definitionWaitsMs(stalled('10M', 60_000));
    expect(slow).toBeGreaterThan(fast);
    expect(definitionWaitsMs(stalled('1K', 4000))).toBe(225 + 4000);
    // Unlimited (-b 0): the buffers fill at once.
    expect(definitionWaitsMs(stalled('0', 4000))).toBe(225);
  });

  it("adds a follow-up client's test", () => {
    const followUp = workload({
      server: { args: '-s -p {port}' },
      judge: 'server',
      signal: { to: 'client', pattern: [{ signal: 'SIGKILL' }] },
      followUp: { seconds: 2 },
    });
    const without = workload({ judge: 'server', signal: { to: 'client', pattern: [{ signal: 'SIGKILL' }] } });
    expect(iterationPriorMs(followUp, 'plain') - iterationPriorMs(without, 'plain')).toBeGreaterThan(2000);
  });
});
