import { describe, expect, it } from 'vitest';
import { headline } from '../../src/report/headline.js';

const summary = {
  stability: 'server-burst (plain) fails 0% vs 4.4% on base',
  throughput: 'throughput not measured',
};

describe('headline', () => {
  it('leads with the worse verdict', () => {
    const line = headline(
      { stability: 'neutral', throughput: 'regression' },
      { ...summary, throughput: '−12%' },
    );
    expect(line).toMatch(/^❌ Throughput regression: −12% · stability neutral/);
  });

  it('never leads with throughput that was not measured', () => {
    const line = headline({ stability: 'improvement', throughput: 'inconclusive' }, summary, {
      throughput: false,
    });
    expect(line).toMatch(/^✅ Stability improvement: server-burst/);
    expect(line).toMatch(/throughput inconclusive \(throughput not measured\)$/);
  });

  it('still leads with measured inconclusive throughput over an improvement', () => {
    const line = headline(
      { stability: 'improvement', throughput: 'inconclusive' },
      { ...summary, throughput: 'wide' },
    );
    expect(line).toMatch(/^⚠️ Throughput inconclusive: wide/);
  });
});
