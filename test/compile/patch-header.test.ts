import { describe, expect, it } from 'vitest';
import { parsePatchHeader } from '../../src/source/patch-header.js';

describe('parsePatchHeader', () => {
  it('reads the fields before the first diff, with continuation lines', () => {
    const header = parsePatchHeader(
      [
        'Subject: worker threads no longer block termination signals',
        '  (the iperf3 3.16/3.17 crash)',
        'Bug-Class: unblocked-worker-signals',
        'Expected-Stability: regression',
        'Expected-Throughput: neutral',
        'Applies-After: a.patch, b.patch',
        '',
        'Free text that explains the patch.',
        'Subject-Like: not a field',
        '',
        'diff --git a/src/x.c b/src/x.c',
        'Bug-Class: inside the diff, ignored',
      ].join('\n'),
    );
    expect(header).toEqual({
      subject: 'worker threads no longer block termination signals (the iperf3 3.16/3.17 crash)',
      bugClass: 'unblocked-worker-signals',
      expectedStability: 'regression',
      expectedThroughput: 'neutral',
      appliesAfter: ['a.patch', 'b.patch'],
      lines: { subject: 1, bugClass: 3, expectedStability: 4, expectedThroughput: 5, appliesAfter: 6 },
    });
  });

  it('returns no fields for a bare diff, and treats "none" as no prerequisite', () => {
    expect(parsePatchHeader('diff --git a/x b/x\n--- a/x\n+++ b/x\n')).toEqual({
      appliesAfter: [],
      lines: {},
    });
    expect(parsePatchHeader('applies-after: none\n\n--- a/x\n').appliesAfter).toEqual([]);
  });

  it('rejects an expected verdict that is not one, pointing at the line', () => {
    expect(() => parsePatchHeader('Subject: x\nExpected-Stability: worse\n', 'p.patch')).toThrowError(
      expect.objectContaining({
        message: 'p.patch:2: "worse" is not a verdict',
        hint: expect.stringContaining('regression'),
      }),
    );
    expect(parsePatchHeader('Expected-Throughput: Neutral\n').expectedThroughput).toBe('neutral');
  });
});
