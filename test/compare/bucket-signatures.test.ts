import { describe, expect, it } from 'vitest';
import { bucketSignatures } from '../../src/compare/signatures/bucket-signatures.js';
import { defaultThresholds } from '../../src/config/thresholds.schema.js';
import { cell, hangSignature, repeat, signature } from '../support/report-fixtures.js';

const findings = defaultThresholds.findings;
const sig = (name: string, extra: Partial<Parameters<typeof signature>[0]> = {}) =>
  signature({
    workload: 'server-burst',
    variant: 'plain',
    signature: name,
    kind: 'crash',
    family: 'SIGSEGV',
    count: 1,
    excerpt: `${name} excerpt`,
    evidence: `${name} evidence`,
    ...extra,
  });

describe('bucketSignatures', () => {
  it('buckets new, fixed and persisting target signatures; a new crash is a finding even if seen once', () => {
    const c = cell({
      workload: 'server-burst',
      variant: 'plain',
      batches: repeat(5, 1, 2),
      base: [sig('A', { count: 3 }), sig('B', { count: 2 })],
      head: [sig('A', { count: 4 }), sig('C', { count: 1 })],
    });
    const entries = bucketSignatures([c], findings);
    const by = Object.fromEntries(entries.map((e) => [e.signature, e]));
    expect(by.C).toMatchObject({
      bucket: 'new',
      finding: true,
      note: null,
      base: { count: 0 },
      head: { count: 1 },
    });
    expect(by.A).toMatchObject({
      bucket: 'persisting',
      finding: false,
      base: { count: 3 },
      head: { count: 4 },
    });
    expect(by.B).toMatchObject({ bucket: 'fixed', finding: false, base: { count: 2 }, head: { count: 0 } });
    // Judged iterations behind each count: 50 per side.
    expect(by.C?.head.iterations).toBe(50);
    // Findings sort first.
    expect(entries[0]?.signature).toBe('C');
  });

  it('never blames head for a signature base shows anywhere: another cell or the peer side', () => {
    const elsewhere = cell({
      workload: 'client-term',
      variant: 'plain',
      side: 'client',
      batches: repeat(3, 1, 0),
      base: [sig('D')],
    });
    const here = cell({
      workload: 'server-burst',
      variant: 'plain',
      batches: repeat(3, 0, 1),
      base: [sig('E', { role: 'peer', side: 'client' })],
      head: [sig('D'), sig('E')],
    });
    const entries = bucketSignatures([elsewhere, here], findings).filter(
      (e) => e.workload === 'server-burst',
    );
    expect(entries.find((e) => e.signature === 'D')).toMatchObject({
      bucket: 'new',
      finding: false,
      note: 'base shows it in client-term (plain, client)',
    });
    expect(entries.find((e) => e.signature === 'E' && e.role === 'target')).toMatchObject({
      bucket: 'new',
      finding: false,
      note: 'base shows it on the peer side of this cell',
    });
  });

  it('does not blame a new stack of a noisy family base also shows (TSan data races), but does blame a new kind', () => {
    const tsan = (name: string, family: string) =>
      sig(name, { variant: 'tsan', kind: 'sanitizer', family, count: 1 });
    const c = cell({
      workload: 'server-burst',
      variant: 'tsan',
      failureKind: 'sanitizer',
      batches: repeat(3, 10, 10),
      base: [tsan('race at iperf_set_done', 'tsan: data race')],
      head: [
        tsan('race at iperf_set_done', 'tsan: data race'),
        tsan('race at iperf_stats_callback', 'tsan: data race'),
        tsan('signal-unsafe call in sig_handler', 'tsan: signal-unsafe call inside of a signal'),
      ],
    });
    const by = Object.fromEntries(bucketSignatures([c], findings).map((e) => [e.signature, e]));
    expect(by['race at iperf_stats_callback']).toMatchObject({
      bucket: 'new',
      finding: false,
      note: 'base shows other tsan: data race reports in this cell (1 times): not blamed on head',
    });
    expect(by['signal-unsafe call in sig_handler']).toMatchObject({ bucket: 'new', finding: true });
    expect(by['race at iperf_set_done']).toMatchObject({ bucket: 'persisting', finding: false });
  });

  it('keeps peer-side signatures apart as evidence, never findings', () => {
    const c = cell({
      workload: 'server-burst',
      variant: 'plain',
      batches: repeat(3, 0, 1),
      head: [sig('P', { role: 'peer', side: 'client' })],
    });
    expect(bucketSignatures([c], findings)).toEqual([
      expect.objectContaining({
        signature: 'P',
        role: 'peer',
        process: 'client',
        bucket: 'new',
        finding: false,
      }),
    ]);
  });

  it('lists a new hang but leaves its blame to the rate test (hangs are not a finding kind by default)', () => {
    const c = cell({
      workload: 'server-burst',
      variant: 'plain',
      batches: repeat(3, 0, 1),
      head: [hangSignature('server-burst', 1)],
    });
    expect(bucketSignatures([c], findings)[0]).toMatchObject({ kind: 'hang', bucket: 'new', finding: false });
    expect(bucketSignatures([c], { ...findings, kinds: ['hang'] })[0]).toMatchObject({ finding: true });
  });

  it('adds up a signature shown by both processes in one role, and shows the earliest occurrence', () => {
    const c = cell({
      workload: 'server-burst',
      variant: 'plain',
      batches: repeat(3, 0, 2),
      head: [
        sig('Z', { count: 2, firstIteration: 9 }),
        sig('Z', { count: 3, firstIteration: 4, side: 'client' }),
      ],
    });
    expect(bucketSignatures([c], findings)[0]).toMatchObject({
      head: { count: 5 },
      firstIteration: 4,
      process: 'client',
    });
  });
});
