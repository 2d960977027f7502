import { describe, expect, it } from 'vitest';
import { compareStability } from '../../src/compare/stability/compare-stability.js';
import { defaultThresholds } from '../../src/config/thresholds.schema.js';
import type { CensusSummary } from '../../src/storm/threads/census.schema.js';
import type { CellAim } from '../../src/workload/aims.js';
import { cell, repeat } from '../support/report-fixtures.js';

const term = ['SIGTERM', 'SIGINT', 'SIGHUP'];
function census(o: { handlers?: string[]; ignored?: string[] } = {}): CensusSummary {
  const handlers = o.handlers ?? ['main'];
  return {
    iterations: 1,
    rows: [{ role: 'main', name: 'iperf3', takes: {} }],
    handlerThreads: Object.fromEntries(term.map((s) => [s, handlers])),
    maxHandlerThreads: Object.fromEntries(term.map((s) => [s, handlers.length])),
    caught: term,
    ignored: o.ignored ?? ['SIGPIPE'],
  };
}

/** A client cell whose head no longer ignores SIGPIPE, with its counts and what it aims at. */
function clientCell(o: {
  workload: string;
  aims?: CellAim[];
  batches: ReturnType<typeof repeat>;
  headCensus?: CensusSummary;
}) {
  return cell({
    workload: o.workload,
    variant: 'plain',
    side: 'client',
    batches: o.batches,
    baseExtra: { census: census(), ...(o.aims ? { aims: o.aims } : {}) },
    headExtra: { census: o.headCensus ?? census({ ignored: [] }), ...(o.aims ? { aims: o.aims } : {}) },
  });
}

const t = defaultThresholds;

describe('census findings: no "no regression" while one is open', () => {
  it('SIGPIPE no longer ignored, the cell aiming at it clean but short of its fine bound: inconclusive, said first', () => {
    // Every cell within the coarse 10% under the pooled statement, as the pr profile would call neutral.
    const cells = [
      clientCell({ workload: 'client-sigterm', batches: repeat(140, 0, 0) }),
      clientCell({ workload: 'client-peer-lost', aims: ['vanishing-peer'], batches: repeat(4, 0, 0) }),
    ];
    const s = compareStability(cells, t, 'pooled');
    expect(s.cells.map((c) => c.verdict)).toEqual(['neutral', 'neutral']);
    expect(s.neutral.pooled.shown).toBe(true);
    expect(s.threads.findings).toEqual([
      expect.objectContaining({
        kind: 'sigpipe',
        process: 'client',
        status: 'open',
        cells: ['client-peer-lost (plain)'],
      }),
    ]);
    expect(s.verdict).toBe('inconclusive');
    expect(s.summary).toMatch(
      /^SIGPIPE no longer ignored \(client\), not settled: client-peer-lost \(plain\): /,
    );
  });

  it('no cell aims at it: open, and the sentence says what to add', () => {
    const s = compareStability(
      [clientCell({ workload: 'client-sigterm', batches: repeat(140, 0, 0) })],
      t,
      'pooled',
    );
    expect(s.verdict).toBe('inconclusive');
    expect(s.threads.findings[0]).toMatchObject({ status: 'open', cells: [] });
    expect(s.summary).toMatch(/no cell of this run SIGKILLs the peer of the judged process/);
  });

  it('shown: the aiming cell regresses, and the finding leads the regression', () => {
    const s = compareStability(
      [clientCell({ workload: 'client-peer-lost', aims: ['vanishing-peer'], batches: repeat(2, 0, 10) })],
      t,
      'pooled',
    );
    expect(s.verdict).toBe('regression');
    expect(s.threads.findings[0]?.status).toBe('shown');
    expect(s.summary).toMatch(/^SIGPIPE no longer ignored \(client\), shown in client-peer-lost \(plain\): /);
  });

  it('harmless: the aiming cell neutral within its fine tolerance lets the verdict be neutral', () => {
    // 0 of 1,400 per side: the plain cell's sequential test shows equivalence at 0.5%.
    const s = compareStability(
      [clientCell({ workload: 'client-peer-lost', aims: ['vanishing-peer'], batches: repeat(140, 0, 0) })],
      t,
      'pooled',
    );
    expect(s.cells[0]?.sequential?.reason).toBe('equivalent');
    expect(s.threads.findings[0]?.status).toBe('harmless');
    expect(s.verdict).toBe('neutral');
  });

  it('without a finding nothing changes: same census, same neutral', () => {
    const cells = [
      clientCell({ workload: 'client-sigterm', batches: repeat(140, 0, 0), headCensus: census() }),
      clientCell({
        workload: 'client-peer-lost',
        aims: ['vanishing-peer'],
        batches: repeat(4, 0, 0),
        headCensus: census(),
      }),
    ];
    const s = compareStability(cells, t, 'pooled');
    expect(s.threads.findings).toEqual([]);
    expect(s.verdict).toBe('neutral');
  });
});

describe('census findings in the Markdown report', () => {
  it('lists each finding with its status before the mask changes', async () => {
    const { threadsSection } = await import('../../src/report/markdown/sections/threads.js');
    const s = compareStability(
      [
        clientCell({ workload: 'client-sigterm', batches: repeat(140, 0, 0) }),
        clientCell({ workload: 'client-peer-lost', aims: ['vanishing-peer'], batches: repeat(4, 0, 0) }),
      ],
      t,
      'pooled',
    );
    const section = threadsSection({ stability: { threads: s.threads, cells: s.cells } } as never);
    const lines = section?.split('\n') ?? [];
    const finding = lines.findIndex((l) =>
      l.startsWith('- ⚠️ not settled (client): **SIGPIPE no longer ignored**: '),
    );
    const risk = lines.findIndex((l) => l.startsWith('- ⚠️ risk (client): head no longer ignores SIGPIPE'));
    expect(finding).toBeGreaterThan(0);
    expect(risk).toBeGreaterThan(finding);
  });
});
