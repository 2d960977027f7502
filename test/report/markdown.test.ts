import { describe, expect, it } from 'vitest';
import { githubCommentLimit, renderMarkdown } from '../../src/report/markdown/render-markdown.js';
import { reportMarker } from '../../src/report/markdown/sections/header.js';
import type { Report } from '../../src/report/report.schema.js';
import { structure } from '../support/markdown-structure.js';
import {
  cell,
  hangBacktrace,
  hangSignature,
  improvementScenario,
  inconclusiveScenario,
  neutralScenario,
  regressionScenario,
  repeat,
  reportOf,
  type Scenario,
  signature,
  throughputRegressionScenario,
} from '../support/report-fixtures.js';

const report = (request: Scenario): Report =>
  reportOf({ ...request, generatedAt: '2026-01-01T00:00:00Z', sigstormVersion: '0.1.0' });

/** What every rendered report must satisfy, whatever its content. */
function expectWellFormed(md: string, r: Report): void {
  const lines = md.split('\n');
  expect(lines[0]).toBe(reportMarker);
  expect(lines[1]).toBe(`### ${r.headline}`);
  expect(r.headline).not.toContain('\n');
  const s = structure(md);
  expect(s.unclosedFence).toBe(false);
  expect(s.detailsBalanced).toBe(true);
  expect(s.raggedRows).toEqual([]);
  expect(md.length).toBeLessThanOrEqual(githubCommentLimit);
}

describe('renderMarkdown', () => {
  it('regression: one finding per cause, its signatures under it, each with a repro and its evidence folded', () => {
    const r = report(regressionScenario());
    const md = renderMarkdown(r);
    expectWellFormed(md, r);
    expect(structure(md).details).toBe(5); // four signatures' evidence (three causes) + the method notes
    expect(md).toMatchInlineSnapshot(`
      "<!-- sigstorm-report -->
      ### ❌ Stability regression: new in server-burst (asan): 21 of 30 reported asan: SEGV: iperf_send_stream < worker_thread; 2 more new causes in server-burst (plain, tsan) · throughput neutral (tcp-4streams: estimate 0.0%, 95% interval −1.7% to +1.2%, 5 + 5 runs: within ±3.0%)

      **base** \`subject@main\` at \`3f9c2e1a77\` · **head** \`subject@main\` at \`3f9c2e1a77\` + \`unblocked-worker-signals.patch\`  
      720 + 720 storm iterations in 4 cells, 10 throughput runs

      #### Stability: ❌ regression

      | Cell | Base failed (95%) | Head failed (95%) | p worse / better (Holm) | Stopped | Verdict |
      | --- | --- | --- | --- | --- | --- |
      | server-burst · plain · server | 0 of 60 (≤ 4.9%) | 18 of 60: 30.0% (19.9%–42.5%) | <0.0001 / 1 | regression at 60/side | ❌ regression |
      | server-burst · asan · server | 0 of 30 (≤ 9.5%) | 21 of 30: 70.0% (52.1%–83.3%) | <0.0001 / 1 | regression at 30/side | ❌ regression |
      | server-burst · tsan · server | 30 of 30: 100.0% (88.6%–100.0%) | 30 of 30: 100.0% (88.6%–100.0%) | 1 / 1 | open at 30/side | ❌ regression |
      | client-term · plain · client | 0 of 600 (≤ 0.50%) | 0 of 600 (≤ 0.50%) | 1 / 1 | equivalent at 600/side (no failures) | ✅ neutral |

      - **server-burst · plain · server**: base 0 of 60, head 18 of 60 failed: head's odds of failing are higher than base's (log-likelihood ratio 5.28 ≥ 4.67)
      - **server-burst · asan · server**: base 0 of 30, head 21 of 30 failed: head's odds of failing are higher than base's (log-likelihood ratio 6.42 ≥ 4.67)
      - **server-burst · tsan · server**: 1 new failure cause in head that base never showed
      - **client-term · plain · client**: 0 of 600 per side: head's failure rate is at most 0.50% at 95%

      #### New in head (3; 4 signatures)

      ❌ **server-burst (asan, server)**: 21 of 30 reported asan: SEGV: iperf\\_send\\_stream \\< worker\\_thread (base 0 of 30)

      - \`asan:SEGV in iperf_send_stream < worker_thread\`: head 21 of 30, base 0 of 30  
        \`asan: SEGV in iperf_send_stream src/iperf_api.c:1893\`  
        Reproduce: \`node bin/sigstorm.js storm --binary ~/.cache/sigstorm/builds/3f9c2e1/asan/src/iperf3 --variant asan --workload server-burst --seed 1234 --only-iteration 3 --cpus 0,1\`  
        Without sigstorm: \`bash repro-01-server-burst-asan.sh TREE 10\` ([repro-01-server-burst-asan.sh](repro-01-server-burst-asan.sh) in the repro bundle: builds base and head from a checkout TREE and reruns the iteration 10 times on each)

      <details><summary>Full sanitizer report (server, iteration 3)</summary>

      \`\`\`text
      =================================================================
      ==40211==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000008 (pc 0x5581f0a1c2d3 bp 0x7f1e2b7fdcf0 sp 0x7f1e2b7fdc80 T3)
      ==40211==The signal is caused by a READ memory access.
      ==40211==Hint: address points to the zero page.
          #0 0x5581f0a1c2d3 in iperf_send_stream src/iperf_api.c:1893
          #1 0x5581f0a1b8e0 in worker_thread src/iperf_client_api.c:212
          #2 0x7f1e2f2a8043 in start_thread nptl/pthread_create.c:442
          #3 0x7f1e2f3285fb in clone3 ../sysdeps/unix/sysv/linux/x86_64/clone3.S:81

      AddressSanitizer can not provide additional info.
      SUMMARY: AddressSanitizer: SEGV src/iperf_api.c:1893 in iperf_send_stream
      Thread T3 created by T0 here:
          #0 0x7f1e2f47c726 in pthread_create ../../../../src/libsanitizer/asan/asan_interceptors.cpp:207
          #1 0x5581f0a1b9ff in iperf_create_streams src/iperf_client_api.c:260
      ==40211==ABORTING
      \`\`\`

      </details>

      ❌ **server-burst (plain, server)**: 18 of 60 crashed: SIGSEGV ×12, stack smashing detected ×6 (base 0 of 60)

      - \`crash:SIGSEGV in longjmp < sig_handler < worker_thread\`: head 12 of 60, base 0 of 60  
        \`SIGSEGV: iperf3: interrupt - the client has terminated\`  
        Reproduce: \`node bin/sigstorm.js storm --binary ~/.cache/sigstorm/builds/3f9c2e1/plain/src/iperf3 --variant plain --workload server-burst --seed 1234 --only-iteration 3 --cpus 0,1\`  
        Without sigstorm: \`bash repro-02-server-burst-plain.sh TREE 10\` ([repro-02-server-burst-plain.sh](repro-02-server-burst-plain.sh) in the repro bundle: builds base and head from a checkout TREE and reruns the iteration 10 times on each)

      <details><summary>Full stderr (server, iteration 3)</summary>

      \`\`\`text
      iperf3: interrupt - the client has terminated
      Segmentation fault (longjmp from worker thread T2: jump buffer of T0)
      \`\`\`

      </details>

      - \`crash:stack smashing detected\`: head 6 of 60, base 0 of 60  
        \`*** stack smashing detected ***: terminated\`  
        Reproduce: \`node bin/sigstorm.js storm --binary ~/.cache/sigstorm/builds/3f9c2e1/plain/src/iperf3 --variant plain --workload server-burst --seed 1234 --only-iteration 40 --cpus 0,1\`  
        Without sigstorm: \`bash repro-03-server-burst-plain.sh TREE 10\` ([repro-03-server-burst-plain.sh](repro-03-server-burst-plain.sh) in the repro bundle: builds base and head from a checkout TREE and reruns the iteration 10 times on each)

      <details><summary>Full stderr (server, iteration 40)</summary>

      \`\`\`text
      *** stack smashing detected ***: terminated
      Aborted (core dumped)
      \`\`\`

      </details>

      ❌ **server-burst (tsan, server)**: 9 of 30 reported tsan: signal-unsafe call inside of a signal: iperf\\_err \\< sig\\_handler (base 0 of 30)

      - \`tsan:signal-unsafe call inside of a signal in iperf_err < sig_handler\`: head 9 of 30, base 0 of 30  
        \`tsan: signal-unsafe call inside of a signal in malloc\`  
        Reproduce: \`node bin/sigstorm.js storm --binary ~/.cache/sigstorm/builds/3f9c2e1/tsan/src/iperf3 --variant tsan --workload server-burst --seed 1234 --only-iteration 4 --cpus 0,1\`  
        Without sigstorm: \`bash repro-04-server-burst-tsan.sh TREE 10\` ([repro-04-server-burst-tsan.sh](repro-04-server-burst-tsan.sh) in the repro bundle: builds base and head from a checkout TREE and reruns the iteration 10 times on each)

      <details><summary>Full sanitizer report (server, iteration 4)</summary>

      \`\`\`text
      ==================
      WARNING: ThreadSanitizer: signal-unsafe call inside of a signal (pid=51234)
          #0 malloc ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:647
          #1 vfprintf <null>
          #2 iperf_err src/iperf_error.c:66
          #3 sig_handler src/main.c:141
          #4 worker_thread src/iperf_client_api.c:208

      SUMMARY: ThreadSanitizer: signal-unsafe call inside of a signal src/iperf_error.c:66 in iperf_err
      ==================
      \`\`\`

      </details>

      #### Persisting (in base and head, not blamed on head) (1)

      **server-burst (tsan, server)**: 30 of 30 reported tsan: data race: between iperf\\_set\\_done and worker\\_thread (base 30 of 30)

      - \`tsan:data race between iperf_set_done and worker_thread\`: head 30 of 30, base 30 of 30  
        \`tsan: data race in iperf_set_done src/iperf_api.c:4410\`

      #### Throughput: ✅ neutral

      | Workload | Base median | Head median | Change (95% interval) | Runs | Verdict |
      | --- | --- | --- | --- | --- | --- |
      | tcp-4streams · plain | 41.3 Gbit/s | 41.3 Gbit/s | 0.0% (−1.7% to +1.2%) | 5 + 5 | ✅ neutral |

      Change: the Hodges–Lehmann estimate of head / base − 1 (over ABBA pairs where the runs were paired), not the ratio of the two medians.

      - **tcp-4streams**: estimate 0.0%, 95% interval −1.7% to +1.2%, 5 + 5 runs: within ±3.0%

      \`\`\`mermaid
      xychart-beta
        title "tcp-4streams (plain): Gbit/s per run, base then head"
        x-axis ["base 1", "base 2", "base 3", "base 4", "base 5", "head 1", "head 2", "head 3", "head 4", "head 5"]
        y-axis "Gbit/s" 0 --> 46
        bar [41.5, 40.8, 41.3, 41.7, 41, 41.3, 41.5, 40.8, 41, 41.4]
      \`\`\`

      #### Not run

      - client-term (asan, tsan): variants not in the pr profile

      <details><summary>How these figures were made</summary>

      - Failure rates with Wilson 95.0% intervals; "≤" is the exact one-sided 95.0% upper bound.
      - p-values: one-sided Fisher exact tests per cell, Holm-adjusted over the 4 cells; regression when below α = 0.05.
      - Sequential stopping: odds-ratio SPRTs (designed odds ratio 2, α = 0.05 over all cells, β = 0.05) and a run of clean iterations proving the tolerance (plain 0.50%, asan 1.0%, tsan 2.0%).
      - A signature new in head is a regression by itself when it is a crash or sanitizer report that base never showed.
      - Iterations whose only sanitizer reports are of "tsan: data race", "tsan: thread leak" families count as clean ("noise only"); their signatures are still listed.
      - Throughput: Hodges–Lehmann change of head over base; rows marked "paired" ran base and head in ABBA pairs and take the exact signed-rank interval of the pairs' ln(head/base) at the confidence of the look they stopped at (docs/throughput.md), other rows the exact Mann–Whitney interval of independent runs; regression when the whole interval is below −3.0%, improvement above +3.0%.
      - Report schema v1, sigstorm 0.1.0, 2026-01-01T00:00:00Z.

      </details>
      "
    `);
  });

  it('improvement', () => {
    const r = report(improvementScenario());
    const md = renderMarkdown(r);
    expectWellFormed(md, r);
    expect(md).toMatchInlineSnapshot(`
      "<!-- sigstorm-report -->
      ### ✅ Stability improvement: server-burst (plain) fails 0% of iterations vs 30.0% on base, and 1 more cell · throughput neutral (tcp-4streams: estimate 0.0%, 95% interval −1.7% to +1.2%, 5 + 5 runs: within ±3.0%)

      **base** \`subject@main\` at \`3f9c2e1a77\` · **head** \`subject@main\` at \`3f9c2e1a77\` + \`sigwait-thread.patch\`  
      90 + 90 storm iterations in 2 cells, 10 throughput runs

      #### Stability: ✅ improvement

      | Cell | Base failed (95%) | Head failed (95%) | p worse / better (Holm) | Stopped | Verdict |
      | --- | --- | --- | --- | --- | --- |
      | server-burst · plain · server | 15 of 50: 30.0% (19.1%–43.8%) | 0 of 50 (≤ 5.8%) | 1 / <0.0001 | improvement at 50/side | ✅ improvement |
      | server-burst · asan · server | 28 of 40: 70.0% (54.6%–81.9%) | 0 of 40 (≤ 7.2%) | 1 / <0.0001 | improvement at 20/side | ✅ improvement |

      - **server-burst · plain · server**: base 15 of 50, head 0 of 50 failed: head's odds of failing are lower than base's (log-likelihood ratio 4.40 ≥ 3.98)
      - **server-burst · asan · server**: base 14 of 20, head 0 of 20 failed: head's odds of failing are lower than base's (log-likelihood ratio 4.28 ≥ 3.98)

      #### Fixed in head (2)

      **server-burst (asan, server)**: 28 of 40 reported asan: SEGV: iperf\\_send\\_stream \\< worker\\_thread (head 0 of 40)

      - \`asan:SEGV in iperf_send_stream < worker_thread\`: head 0 of 40, base 28 of 40  
        \`asan: SEGV in iperf_send_stream src/iperf_api.c:1893\`

      <details><summary>Full sanitizer report (server, iteration 3)</summary>

      \`\`\`text
      =================================================================
      ==40211==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000008 (pc 0x5581f0a1c2d3 bp 0x7f1e2b7fdcf0 sp 0x7f1e2b7fdc80 T3)
      ==40211==The signal is caused by a READ memory access.
      ==40211==Hint: address points to the zero page.
          #0 0x5581f0a1c2d3 in iperf_send_stream src/iperf_api.c:1893
          #1 0x5581f0a1b8e0 in worker_thread src/iperf_client_api.c:212
          #2 0x7f1e2f2a8043 in start_thread nptl/pthread_create.c:442
          #3 0x7f1e2f3285fb in clone3 ../sysdeps/unix/sysv/linux/x86_64/clone3.S:81

      AddressSanitizer can not provide additional info.
      SUMMARY: AddressSanitizer: SEGV src/iperf_api.c:1893 in iperf_send_stream
      Thread T3 created by T0 here:
          #0 0x7f1e2f47c726 in pthread_create ../../../../src/libsanitizer/asan/asan_interceptors.cpp:207
          #1 0x5581f0a1b9ff in iperf_create_streams src/iperf_client_api.c:260
      ==40211==ABORTING
      \`\`\`

      </details>

      **server-burst (plain, server)**: 15 of 50 crashed: SIGSEGV (head 0 of 50)

      - \`crash:SIGSEGV in longjmp < sig_handler < worker_thread\`: head 0 of 50, base 15 of 50  
        \`SIGSEGV: iperf3: interrupt - the client has terminated\`

      <details><summary>Full stderr (server, iteration 3)</summary>

      \`\`\`text
      iperf3: interrupt - the client has terminated
      Segmentation fault (longjmp from worker thread T2: jump buffer of T0)
      \`\`\`

      </details>

      #### Throughput: ✅ neutral

      | Workload | Base median | Head median | Change (95% interval) | Runs | Verdict |
      | --- | --- | --- | --- | --- | --- |
      | tcp-4streams · plain | 41.3 Gbit/s | 41.3 Gbit/s | 0.0% (−1.7% to +1.2%) | 5 + 5 | ✅ neutral |

      Change: the Hodges–Lehmann estimate of head / base − 1 (over ABBA pairs where the runs were paired), not the ratio of the two medians.

      - **tcp-4streams**: estimate 0.0%, 95% interval −1.7% to +1.2%, 5 + 5 runs: within ±3.0%

      \`\`\`mermaid
      xychart-beta
        title "tcp-4streams (plain): Gbit/s per run, base then head"
        x-axis ["base 1", "base 2", "base 3", "base 4", "base 5", "head 1", "head 2", "head 3", "head 4", "head 5"]
        y-axis "Gbit/s" 0 --> 46
        bar [41.5, 40.8, 41.3, 41.7, 41, 41.3, 41.5, 40.8, 41, 41.4]
      \`\`\`

      <details><summary>How these figures were made</summary>

      - Failure rates with Wilson 95.0% intervals; "≤" is the exact one-sided 95.0% upper bound.
      - p-values: one-sided Fisher exact tests per cell, Holm-adjusted over the 2 cells; regression when below α = 0.05.
      - Sequential stopping: odds-ratio SPRTs (designed odds ratio 2, α = 0.05 over all cells, β = 0.05) and a run of clean iterations proving the tolerance (plain 0.50%, asan 1.0%, tsan 2.0%).
      - A signature new in head is a regression by itself when it is a crash or sanitizer report that base never showed.
      - Iterations whose only sanitizer reports are of "tsan: data race", "tsan: thread leak" families count as clean ("noise only"); their signatures are still listed.
      - Throughput: Hodges–Lehmann change of head over base; rows marked "paired" ran base and head in ABBA pairs and take the exact signed-rank interval of the pairs' ln(head/base) at the confidence of the look they stopped at (docs/throughput.md), other rows the exact Mann–Whitney interval of independent runs; regression when the whole interval is below −3.0%, improvement above +3.0%.
      - Report schema v1, sigstorm 0.1.0, 2026-01-01T00:00:00Z.

      </details>
      "
    `);
  });

  it('neutral: states the bound the verdict rests on', () => {
    const r = report(neutralScenario());
    const md = renderMarkdown(r);
    expectWellFormed(md, r);
    expect(md).toMatchInlineSnapshot(`
      "<!-- sigstorm-report -->
      ### ✅ No regression: stability neutral (in 3 cells; weakest: server-burst (asan), 0 of 300 per side: head's failure rate is at most 0.99% at 95%) · throughput neutral (tcp-4streams: estimate 0.0%, 95% interval −1.7% to +1.2%, 5 + 5 runs: within ±3.0%)

      **base** \`subject@main\` at \`3f9c2e1a77\` · **head** \`subject@main\` at \`3f9c2e1a77\` + \`help-text.patch\`  
      1,050 + 1,050 storm iterations in 3 cells, 10 throughput runs

      #### Stability: ✅ neutral

      | Cell | Base failed (95%) | Head failed (95%) | p worse / better (Holm) | Stopped | Verdict |
      | --- | --- | --- | --- | --- | --- |
      | server-burst · plain · server | 0 of 600 (≤ 0.50%) | 0 of 600 (≤ 0.50%) | 1 / 1 | equivalent at 600/side (no failures) | ✅ neutral |
      | server-burst · asan · server | 0 of 300 (≤ 0.99%) | 0 of 300 (≤ 0.99%) | 1 / 1 | equivalent at 300/side (no failures) | ✅ neutral |
      | server-burst · tsan · server | 150 of 150: 100.0% (97.5%–100.0%) | 150 of 150: 100.0% (97.5%–100.0%) | 1 / 1 | equivalent at 150/side (all failed) | ✅ neutral |

      - **server-burst · plain · server**: 0 of 600 per side: head's failure rate is at most 0.50% at 95%
      - **server-burst · asan · server**: 0 of 300 per side: head's failure rate is at most 0.99% at 95%
      - **server-burst · tsan · server**: every iteration failed, 150 per side: the failure rate cannot tell base and head apart (signatures can)

      #### Persisting (in base and head, not blamed on head) (1)

      **server-burst (tsan, server)**: 150 of 150 reported tsan: data race: between iperf\\_set\\_done and worker\\_thread (base 150 of 150)

      - \`tsan:data race between iperf_set_done and worker_thread\`: head 150 of 150, base 150 of 150  
        \`tsan: data race in iperf_set_done src/iperf_api.c:4410\`

      #### Throughput: ✅ neutral

      | Workload | Base median | Head median | Change (95% interval) | Runs | Verdict |
      | --- | --- | --- | --- | --- | --- |
      | tcp-4streams · plain | 41.3 Gbit/s | 41.3 Gbit/s | 0.0% (−1.7% to +1.2%) | 5 + 5 | ✅ neutral |

      Change: the Hodges–Lehmann estimate of head / base − 1 (over ABBA pairs where the runs were paired), not the ratio of the two medians.

      - **tcp-4streams**: estimate 0.0%, 95% interval −1.7% to +1.2%, 5 + 5 runs: within ±3.0%

      \`\`\`mermaid
      xychart-beta
        title "tcp-4streams (plain): Gbit/s per run, base then head"
        x-axis ["base 1", "base 2", "base 3", "base 4", "base 5", "head 1", "head 2", "head 3", "head 4", "head 5"]
        y-axis "Gbit/s" 0 --> 46
        bar [41.5, 40.8, 41.3, 41.7, 41, 41.3, 41.5, 40.8, 41, 41.4]
      \`\`\`

      <details><summary>How these figures were made</summary>

      - Failure rates with Wilson 95.0% intervals; "≤" is the exact one-sided 95.0% upper bound.
      - p-values: one-sided Fisher exact tests per cell, Holm-adjusted over the 3 cells; regression when below α = 0.05.
      - Sequential stopping: odds-ratio SPRTs (designed odds ratio 2, α = 0.05 over all cells, β = 0.05) and a run of clean iterations proving the tolerance (plain 0.50%, asan 1.0%, tsan 2.0%).
      - A signature new in head is a regression by itself when it is a crash or sanitizer report that base never showed.
      - Iterations whose only sanitizer reports are of "tsan: data race", "tsan: thread leak" families count as clean ("noise only"); their signatures are still listed.
      - Throughput: Hodges–Lehmann change of head over base; rows marked "paired" ran base and head in ABBA pairs and take the exact signed-rank interval of the pairs' ln(head/base) at the confidence of the look they stopped at (docs/throughput.md), other rows the exact Mann–Whitney interval of independent runs; regression when the whole interval is below −3.0%, improvement above +3.0%.
      - Report schema v1, sigstorm 0.1.0, 2026-01-01T00:00:00Z.

      </details>
      "
    `);
  });

  it('inconclusive: says why and what did not run', () => {
    const r = report(inconclusiveScenario());
    const md = renderMarkdown(r);
    expectWellFormed(md, r);
    expect(md).toMatchInlineSnapshot(`
      "<!-- sigstorm-report -->
      ### ⚠️ Stability inconclusive: 2 of 2 cells inconclusive (server-burst (plain): only 10 judged iterations on a side (at least 20 needed)) · throughput inconclusive (tcp-4streams: only 3 successful runs on a side (at least 5 needed))

      **base** \`subject@main\` at \`3f9c2e1a77\` · **head** \`subject@main\` at \`3f9c2e1a77\` + \`help-text.patch\`  
      60 + 80 storm iterations in 2 cells, 8 throughput runs

      #### Stability: ⚠️ inconclusive

      | Cell | Base failed (95%) | Head failed (95%) | p worse / better (Holm) | Stopped | Verdict |
      | --- | --- | --- | --- | --- | --- |
      | server-burst · plain · server | 0 of 10 (≤ 25.9%) | 0 of 10 (≤ 25.9%) | 1 / 1 | open at 10/side | ⚠️ inconclusive |
      | server-int-term · plain · server | 0 of 50 (≤ 5.8%) | 0 of 50 (≤ 5.8%) | 1 / 1 | open at 50/side | ⚠️ inconclusive |

      - **server-burst · plain · server**: only 10 judged iterations on a side (at least 20 needed)
      - **server-int-term · plain · server**: harness errors in 20 of 70 head iterations (more than 20.0%)

      #### Throughput: ⚠️ inconclusive

      | Workload | Base median | Head median | Change (95% interval) | Runs | Verdict |
      | --- | --- | --- | --- | --- | --- |
      | tcp-4streams · plain | 41.0 Gbit/s | 41.3 Gbit/s | +0.73% (−2.9% to +3.7%) | 3 + 5 | ⚠️ inconclusive |

      Change: the Hodges–Lehmann estimate of head / base − 1 (over ABBA pairs where the runs were paired), not the ratio of the two medians.

      - **tcp-4streams**: only 3 successful runs on a side (at least 5 needed)

      \`\`\`mermaid
      xychart-beta
        title "tcp-4streams (plain): Gbit/s per run, base then head"
        x-axis ["base 1", "base 2", "base 3", "head 1", "head 2", "head 3", "head 4", "head 5"]
        y-axis "Gbit/s" 0 --> 47
        bar [41, 42, 40, 41.3, 41.5, 40.8, 41, 41.4]
      \`\`\`

      #### Not run

      - server-burst (asan, tsan): cancelled by /sigstorm cancel after 1 batch

      <details><summary>How these figures were made</summary>

      - Failure rates with Wilson 95.0% intervals; "≤" is the exact one-sided 95.0% upper bound.
      - p-values: one-sided Fisher exact tests per cell, Holm-adjusted over the 2 cells; regression when below α = 0.05.
      - Sequential stopping: odds-ratio SPRTs (designed odds ratio 2, α = 0.05 over all cells, β = 0.05) and a run of clean iterations proving the tolerance (plain 0.50%, asan 1.0%, tsan 2.0%).
      - A signature new in head is a regression by itself when it is a crash or sanitizer report that base never showed.
      - Iterations whose only sanitizer reports are of "tsan: data race", "tsan: thread leak" families count as clean ("noise only"); their signatures are still listed.
      - Throughput: Hodges–Lehmann change of head over base; rows marked "paired" ran base and head in ABBA pairs and take the exact signed-rank interval of the pairs' ln(head/base) at the confidence of the look they stopped at (docs/throughput.md), other rows the exact Mann–Whitney interval of independent runs; regression when the whole interval is below −3.0%, improvement above +3.0%.
      - Report schema v1, sigstorm 0.1.0, 2026-01-01T00:00:00Z.

      </details>
      "
    `);
  });

  it('throughput regression: table, chart and the behaviour change', () => {
    const r = report(throughputRegressionScenario());
    const md = renderMarkdown(r);
    expectWellFormed(md, r);
    expect(md).toMatchInlineSnapshot(`
      "<!-- sigstorm-report -->
      ### ❌ Throughput regression: tcp-4streams: estimate −19.8%, 97.5% interval −21.2% to −18.4%, 5 + 5 runs: more than 3.0% slower; 2 of 2 workloads regression · stability neutral (in 1 cell; weakest: server-burst (plain), 0 of 600 per side: head's failure rate is at most 0.50% at 95%)

      **base** \`subject@main\` at \`3f9c2e1a77\` · **head** \`subject@main\` at \`3f9c2e1a77\` + \`slow-send.patch\`  
      600 + 600 storm iterations in 1 cell, 20 throughput runs

      #### Stability: ✅ neutral

      | Cell | Base failed (95%) | Head failed (95%) | p worse / better (Holm) | Stopped | Verdict |
      | --- | --- | --- | --- | --- | --- |
      | server-burst · plain · server | 0 of 600 (≤ 0.50%) | 0 of 600 (≤ 0.50%) | 1 / 1 | equivalent at 600/side (no failures) | ✅ neutral |

      - **server-burst · plain · server**: 0 of 600 per side: head's failure rate is at most 0.50% at 95%

      #### Behaviour changes (not failures)

      - **server-burst · plain · server** (target): clean exits of the server: base exit 1 ×600; head exit 0 ×600

      #### Throughput: ❌ regression

      | Workload | Base median | Head median | Change (97.5% interval) | Runs | Verdict |
      | --- | --- | --- | --- | --- | --- |
      | tcp-4streams · plain | 41.3 Gbit/s | 33.2 Gbit/s | −19.8% (−21.2% to −18.4%) | 5 + 5 | ❌ regression |
      | tcp-1stream · plain | 18.5 Gbit/s | 15.0 Gbit/s | −18.9% (−21.0% to −17.1%) | 5 + 5 (1 failed) | ❌ regression |

      Change: the Hodges–Lehmann estimate of head / base − 1 (over ABBA pairs where the runs were paired), not the ratio of the two medians.

      - **tcp-4streams**: estimate −19.8%, 97.5% interval −21.2% to −18.4%, 5 + 5 runs: more than 3.0% slower
      - **tcp-1stream**: estimate −18.9%, 97.5% interval −21.0% to −17.1%, 5 + 5 runs: more than 3.0% slower

      \`\`\`mermaid
      xychart-beta
        title "tcp-4streams (plain): Gbit/s per run, base then head"
        x-axis ["base 1", "base 2", "base 3", "base 4", "base 5", "head 1", "head 2", "head 3", "head 4", "head 5"]
        y-axis "Gbit/s" 0 --> 46
        bar [41.5, 40.8, 41.3, 41.7, 41, 33.2, 33.4, 32.7, 32.9, 33.3]
      \`\`\`

      \`\`\`mermaid
      xychart-beta
        title "tcp-1stream (plain): Gbit/s per run, base then head"
        x-axis ["base 1", "base 2", "base 3", "base 4", "base 5", "head 1", "head 2", "head 3", "head 4", "head 5"]
        y-axis "Gbit/s" 0 --> 21
        bar [18.6, 18.3, 18.5, 18.7, 18.1, 15, 15.1, 14.7, 14.9, 15]
      \`\`\`

      <details><summary>How these figures were made</summary>

      - Failure rates with Wilson 95.0% intervals; "≤" is the exact one-sided 95.0% upper bound.
      - p-values: one-sided Fisher exact tests per cell, Holm-adjusted over the 1 cells; regression when below α = 0.05.
      - Sequential stopping: odds-ratio SPRTs (designed odds ratio 2, α = 0.05 over all cells, β = 0.05) and a run of clean iterations proving the tolerance (plain 0.50%, asan 1.0%, tsan 2.0%).
      - A signature new in head is a regression by itself when it is a crash or sanitizer report that base never showed.
      - Iterations whose only sanitizer reports are of "tsan: data race", "tsan: thread leak" families count as clean ("noise only"); their signatures are still listed.
      - Throughput: Hodges–Lehmann change of head over base; rows marked "paired" ran base and head in ABBA pairs and take the exact signed-rank interval of the pairs' ln(head/base) at the confidence of the look they stopped at (docs/throughput.md), other rows the exact Mann–Whitney interval of independent runs; regression when the whole interval is below −3.0%, improvement above +3.0%.
      - Report schema v1, sigstorm 0.1.0, 2026-01-01T00:00:00Z.

      </details>
      "
    `);
  });

  it('keeps hostile evidence inside its fence: backtick runs, pipes, </details>, @mentions', () => {
    const scenario = regressionScenario();
    const hostile = cell({
      workload: 'server-int-term',
      variant: 'plain',
      batches: repeat(3, 0, 1),
      failureKind: 'hang',
      head: [hangSignature('server-int-term', 3)],
    });
    const r = report({
      ...scenario,
      cells: [...scenario.cells, hostile],
      notRun: [{ what: 'x', why: 'asked by @octocat' }],
    });
    const md = renderMarkdown(r);
    expectWellFormed(md, r);
    // The backtrace holds a run of 3 backticks, so its fence has 4.
    expect(md).toContain(`\`\`\`\`text\n${hangBacktrace}\n\`\`\`\``);
    // The excerpt holds single backticks: a double-backtick code span.
    expect(md).toContain('``no exit within 5000 ms: futex_wait | `printf` in sig_handler <stdout lock>``');
    expect(md).toContain('asked by @\u2060octocat');
  });

  it('says once what was not stormed: a count in the table section, the names folded under Not run', () => {
    const scenario = regressionScenario();
    const idleNames = Array.from({ length: 21 }, (_, i) => `idle-${i}`);
    const idle = idleNames.map((w) => cell({ workload: w, variant: 'plain', batches: [] }));
    const why = 'stopped early: the verdict was already a settled regression (fail fast)';
    const r = report({
      ...scenario,
      cells: [...scenario.cells, ...idle],
      notRun: [...scenario.notRun, ...idleNames.map((w) => ({ what: `storm ${w} (plain)`, why }))],
    });
    const md = renderMarkdown(r);
    expectWellFormed(md, r);
    for (const w of idleNames) expect(md.split(`${w} (`).length - 1, w).toBe(1);
    expect(md).toContain('_21 more cells not stormed: see "Not run"._');
    expect(md).toContain('storm iterations in 4 of 25 cells');
    expect(md).toContain(`<details><summary>21 not run: ${why}</summary>`);
    // A reason of its own keeps its own line.
    expect(md).toContain('- client-term (asan, tsan): variants not in the pr profile');
    expect(md).not.toContain('| idle-');
  });

  it('stays under the GitHub comment limit: cuts evidence with a note, never the headline or tables', () => {
    const scenario = regressionScenario();
    const huge = 'frame #0 in something_long () at src/file.c:1\n'.repeat(4000); // ~190,000 characters
    const many = Array.from({ length: 300 }, (_, i) =>
      signature({
        workload: 'server-burst',
        variant: 'plain',
        signature: `SIGABRT assert ${i} | frame_${i}`,
        kind: 'crash',
        family: 'SIGABRT',
        count: 1,
        excerpt: `SIGABRT: assertion ${i} failed`,
        evidence: huge,
      }),
    );
    const flood = cell({
      workload: 'server-burst',
      variant: 'plain',
      batches: repeat(30, 0, 10),
      head: many,
    });
    const r = report({ ...scenario, cells: [flood, ...scenario.cells.slice(1)] });
    const md = renderMarkdown(r);
    expectWellFormed(md, r);
    expect(md.length).toBeLessThanOrEqual(githubCommentLimit - 536);
    expect(md).toContain('| server-burst · plain · server |');
    expect(md).toMatch(
      /_Signature details left out to fit a GitHub comment: see report.json._|not shown: the full text is in report.json/,
    );
    // A smaller cap cuts harder but keeps the same guarantees.
    const small = renderMarkdown(r, { maxLength: 8000 });
    expectWellFormed(small, r);
    expect(small.length).toBeLessThanOrEqual(8000);
  });

  it('cuts long evidence at a line with a note saying how much is in report.json', () => {
    const scenario = regressionScenario();
    const long = Array.from({ length: 400 }, (_, i) => `    #${i} 0x55 in frame_${i} src/x.c:${i}`).join(
      '\n',
    );
    const c = cell({
      workload: 'server-burst',
      variant: 'asan',
      batches: repeat(3, 0, 7),
      failureKind: 'sanitizer',
      head: [
        signature({
          workload: 'server-burst',
          variant: 'asan',
          signature: 'asan: stack-overflow | f',
          kind: 'sanitizer',
          count: 21,
          excerpt: 'asan: stack-overflow',
          evidence: long,
        }),
      ],
    });
    const md = renderMarkdown(report({ ...scenario, cells: [c] }));
    expect(md).toMatch(
      /_[\d,]+ more characters \([\d,]+ lines\) not shown: the full text is in report.json_/,
    );
    expect(md).toContain('#0 0x55 in frame_0');
    expect(md).not.toContain('frame_399');
  });
});
