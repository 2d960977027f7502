import type { VariantName } from '../../compile/variants.js';
import type { StormWorkload } from '../../workload/schema.js';

/**
 * What an iteration costs besides the waits its workload definition asks for, per process started
 * and per variant, ms (docs/statistics.md, "Why these numbers: the budget"). From the phases of the
 * base-results records (`phases`, src/storm/phases.ts) that `npx tsx bench/whole-validation.ts`
 * stored, one lane of 2 cores, sandboxed: `--subject-only --only c` (2026-12-07 21:13 UTC, the
 * machine alone, 31 iterations of each of the 28 default cells) and the quick run on real iperf3
 * 3.18 (`--quick --iperf-only`, 21:57 UTC, server-burst and client-burst plain):
 * - `server`: the server's start-up, readiness (it listens), exit and the checks; the idle-server
 *   cells (no client) of the subject: plain 26 + 2 + 4 + 1, ASan 23 + 16 + 5 + 1;
 * - `client`: what a client adds: its start-up, its connection and streams up, its exit. The
 *   established cells' setup, start-up, readiness, exit and checks less the server's: the subject
 *   90 plain (readiness 52–62) and 103 ASan, iperf3 3.18 49 plain (readiness 19–21); the prior
 *   takes the middle, plain 70, and ASan's 13 more.
 * ASan costs ~1.1–1.2× plain per iteration, not 2×: most of an iteration is the definition's
 * waits, which a sanitizer does not stretch. No bench has timed TSan iterations yet: its overhead is
 * taken as twice ASan's (TSan's start-up maps more shadow memory, and the storms' own bounds allow it
 * twice ASan's, docs/storms.md); a TSan cell's own rate replaces it after its first batch.
 */
export const variantOverheadMs: Readonly<
  Record<VariantName, { readonly server: number; readonly client: number }>
> = {
  plain: { server: 33, client: 70 },
  asan: { server: 45, client: 83 },
  tsan: { server: 90, client: 166 },
};

/**
 * The lane's own time around an iteration (the batch's wall time per iteration beyond the record's
 * duration: spawning, the sandbox per batch, records written), ms. bench/iteration-breakdown.ts
 * measured 32–57 ms at a load of ~10 (bench/README.md "Where an iteration's time goes"); the quiet
 * cold-base run above ran 1,736 iterations of 0.40 s mean duration in ~730 s of storms, ~20 ms more.
 */
export const harnessMs = 25;

/**
 * The bytes a stalled peer's connection takes in before the sender blocks, per stream: Linux's default
 * largest receive buffer (net.ipv4.tcp_rmem, 6 MiB). Filling it at the stream's rate is what an
 * `until: judged-blocked-writing` step waits for (peer-stalled at 100 Mbit/s: 0.50 s predicted, 0.53 s
 * measured in the run above).
 */
const stalledBufferBytes = 6 * 1024 * 1024;

/** A stream's sending rate, bytes/s, from an iperf3 bitrate (`100M`); null: unlimited (`0`, or no `-b`). */
function streamBytesPerSecond(w: StormWorkload): number | null {
  if (!w.client.args.includes('{rate}')) return null;
  const match = /^(\d+(?:\.\d+)?)([KMG]?)$/.exec(w.rate);
  if (!match) return null;
  const unit = { '': 1, K: 1e3, M: 1e6, G: 1e9 }[match[2] as '' | 'K' | 'M' | 'G'];
  const bits = Number(match[1]) * unit;
  return bits > 0 ? bits / 8 : null;
}

const mean = ([lo, hi]: readonly [number, number]): number => (lo + hi) / 2;

/**
 * The waits the workload definition asks of one iteration, ms (expected values: a `[min, max]`
 * window is drawn uniformly): the moment's delay (`end`: counted from the transfer's planned end,
 * `seconds` after the streams are up), every pattern step's gap and its `until` wait (the time a
 * stalled peer's buffer takes to fill at the stream's rate, at most `untilMs`), and a follow-up
 * client's test. Hangs (the hang timeout) are outcomes, not waits: not priced.
 */
export function definitionWaitsMs(w: StormWorkload): number {
  const delay =
    w.at.moment === 'end' ? Math.max(0, w.seconds * 1000 + mean(w.at.delayMs)) : mean(w.at.delayMs);
  const rate = streamBytesPerSecond(w);
  const fill = rate === null ? 0 : (stalledBufferBytes / rate) * 1000;
  const pattern = w.signal.pattern.reduce(
    (sum, step) => sum + mean(step.afterMs) + (step.until ? Math.min(step.untilMs, fill) : 0),
    0,
  );
  return delay + pattern + (w.followUp ? w.followUp.seconds * 1000 : 0);
}

/**
 * The prior wall time of one iteration of the workload in the variant, ms: the definition's waits,
 * the variant's overhead of every process the iteration starts (the server, the client unless the
 * moment is idle, a follow-up client) and the lane's harness, on one lane, over `lanes` when a batch
 * runs on several (as the cache's and the run's measured rates are). The rate a cell uses until it
 * has one measured (this run's, else the base-results cache's: ./look-budget.ts).
 */
export function iterationPriorMs(w: StormWorkload, variant: VariantName, lanes = 1): number {
  const o = variantOverheadMs[variant];
  const clients = (w.at.moment === 'idle' ? 0 : 1) + (w.followUp ? 1 : 0);
  return (harnessMs + o.server + clients * o.client + definitionWaitsMs(w)) / Math.max(1, lanes);
}
