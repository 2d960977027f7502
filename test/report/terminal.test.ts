import { describe, expect, it } from 'vitest';
import { renderTerminal } from '../../src/report/terminal.js';
import {
  inconclusiveScenario,
  regressionScenario,
  reportOf,
  throughputRegressionScenario,
} from '../support/report-fixtures.js';

const at = { generatedAt: '2026-01-01T00:00:00Z', sigstormVersion: '0.1.0' };

describe('renderTerminal', () => {
  it('prints the headline first, a line per cell, and each finding with its repro command', () => {
    const text = renderTerminal(reportOf({ ...regressionScenario(), ...at }));
    expect(text).toMatchInlineSnapshot(`
      "❌ Stability regression: new in server-burst (asan): 21 of 30 reported asan: SEGV: iperf_send_stream < worker_thread; 2 more new causes in server-burst (plain, tsan) · throughput neutral (tcp-4streams: estimate 0.0%, 95% interval −1.7% to +1.2%, 5 + 5 runs: within ±3.0%)

      Stability: regression (720 + 720 iterations)
        ❌ server-burst · plain · server  base 0 of 60 (≤ 4.9%)                 head 18 of 60: 30.0% (19.9%–42.5%)    regression at 60/side
        ❌ server-burst · asan · server   base 0 of 30 (≤ 9.5%)                 head 21 of 30: 70.0% (52.1%–83.3%)    regression at 30/side
        ❌ server-burst · tsan · server   base 30 of 30: 100.0% (88.6%–100.0%)  head 30 of 30: 100.0% (88.6%–100.0%)  open at 30/side
        ✅ client-term · plain · client   base 0 of 600 (≤ 0.50%)               head 0 of 600 (≤ 0.50%)               equivalent at 600/side (no failures)

      New in head:
        ❌ server-burst (asan, server): 21 of 30 reported asan: SEGV: iperf_send_stream < worker_thread (base 0 of 30)
           asan:SEGV in iperf_send_stream < worker_thread  ×21
             asan: SEGV in iperf_send_stream src/iperf_api.c:1893
             reproduce: node bin/sigstorm.js storm --binary ~/.cache/sigstorm/builds/3f9c2e1/asan/src/iperf3 --variant asan --workload server-burst --seed 1234 --only-iteration 3 --cpus 0,1
        ❌ server-burst (plain, server): 18 of 60 crashed: SIGSEGV ×12, stack smashing detected ×6 (base 0 of 60)
           crash:SIGSEGV in longjmp < sig_handler < worker_thread  ×12
             SIGSEGV: iperf3: interrupt - the client has terminated
             reproduce: node bin/sigstorm.js storm --binary ~/.cache/sigstorm/builds/3f9c2e1/plain/src/iperf3 --variant plain --workload server-burst --seed 1234 --only-iteration 3 --cpus 0,1
           crash:stack smashing detected  ×6
             *** stack smashing detected ***: terminated
             reproduce: node bin/sigstorm.js storm --binary ~/.cache/sigstorm/builds/3f9c2e1/plain/src/iperf3 --variant plain --workload server-burst --seed 1234 --only-iteration 40 --cpus 0,1
        ❌ server-burst (tsan, server): 9 of 30 reported tsan: signal-unsafe call inside of a signal: iperf_err < sig_handler (base 0 of 30)
           tsan:signal-unsafe call inside of a signal in iperf_err < sig_handler  ×9
             tsan: signal-unsafe call inside of a signal in malloc
             reproduce: node bin/sigstorm.js storm --binary ~/.cache/sigstorm/builds/3f9c2e1/tsan/src/iperf3 --variant tsan --workload server-burst --seed 1234 --only-iteration 4 --cpus 0,1
      Other causes: 1 persisting

      Throughput: neutral
        ✅ tcp-4streams · plain  medians 41.3 Gbit/s → 41.3 Gbit/s  estimate 0.0%, 95% interval −1.7% to +1.2%, 5 + 5 runs: within ±3.0%
      Not run: client-term (asan, tsan): variants not in the pr profile
      "
    `);
  });

  it('prints throughput rows, behaviour changes and what did not run', () => {
    const text = renderTerminal(reportOf({ ...throughputRegressionScenario(), ...at }));
    expect(text.split('\n')[0]).toMatch(/^❌ Throughput regression: /);
    expect(text).toContain(
      'Behaviour change: server-burst (plain): clean exits of the server: base exit 1 ×600; head exit 0 ×600',
    );
    expect(text).toMatch(
      /❌ tcp-1stream · plain +medians 18\.5 Gbit\/s → 15\.0 Gbit\/s +estimate −18\.9%, 97\.5% interval −21\.0% to −17\.1%, 5 \+ 5 runs: more than 3\.0% slower/,
    );
    const open = renderTerminal(reportOf({ ...inconclusiveScenario(), ...at }));
    expect(open).toContain('Not run: server-burst (asan, tsan): cancelled by /sigstorm cancel after 1 batch');
  });

  it('says why a cell whose test was still open stopped: fail fast, the budget, a cancel', () => {
    const scenario = regressionScenario();
    const halt = (halted: 'fail-fast' | 'budget' | 'cancelled') =>
      renderTerminal(
        reportOf({
          ...scenario,
          cells: scenario.cells.map((c) => (c.variant === 'tsan' ? { ...c, halted } : c)),
          ...at,
        }),
      );
    const tsanLine = (text: string) => text.split('\n').find((l) => l.includes('server-burst · tsan'));
    expect(tsanLine(halt('fail-fast'))).toMatch(/fail fast at 30\/side$/);
    expect(tsanLine(halt('budget'))).toMatch(/budget spent at 30\/side$/);
    expect(tsanLine(halt('cancelled'))).toMatch(/cancelled at 30\/side$/);
    // A cell whose test had stopped keeps its own stop: the regression cells are not relabelled.
    const all = renderTerminal(
      reportOf({
        ...scenario,
        cells: scenario.cells.map((c) => ({ ...c, halted: 'fail-fast' as const })),
        ...at,
      }),
    );
    expect(all).toContain('regression at 60/side');
  });
});
