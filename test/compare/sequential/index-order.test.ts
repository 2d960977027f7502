import { describe, expect, it } from 'vitest';
import { advance, type BatchPair, initialState } from '../../../src/compare/sequential/decide-cell.js';
import { type BatchSlot, foldInIndexOrder } from '../../../src/compare/sequential/index-order.js';
import type { SequentialSettings } from '../../../src/compare/sequential/settings.js';
import { shardOf } from '../../../src/pipeline/shards/shard-plan.js';
import { type Draw, seededBinomial } from '../../support/simulate-cell.js';

// Sharded runs, simulated (statistics only: failure counts drawn at known rates, no storm): every
// shard runs its planned batches of a cell (dealt in turn: shard k takes k − 1, k − 1 + N, …) and
// stops on its own sequential test; the merge folds them in index order. Slack as in
// simulation.test.ts: 3 standard errors of the simulated share.
const settings: SequentialSettings = {
  alpha: 0.05,
  beta: 0.05,
  oddsRatio: 2,
  tolerance: 0.005,
  minIterationsPerSide: 20,
  maxIterationsPerSide: 600,
  familySize: 1,
};
const batchSize = 10;
const planned = settings.maxIterationsPerSide / batchSize;
const limit = (rate: number, runs: number) => rate + 3 * Math.sqrt((rate * (1 - rate)) / runs);

/** Every planned batch of one cell at the given rates, drawn up front (the shards run them all). */
function plannedBatches(rates: { base: number; head: number }, draw: Draw, batches = planned): BatchPair[] {
  return Array.from({ length: batches }, () => ({
    base: { n: batchSize, failures: draw(batchSize, rates.base) },
    head: { n: batchSize, failures: draw(batchSize, rates.head) },
  }));
}

/** One machine: batches in order until the test stops. */
function oneMachine(batches: readonly BatchPair[]) {
  let state = initialState(settings);
  let ran = 0;
  for (const batch of batches) {
    if (state.decision.state === 'stop') break;
    state = advance(state, batch, settings);
    ran++;
  }
  return { decision: state.decision, ran };
}

/** The shard of n that runs the batch, as src/pipeline/shards/shard-plan.ts deals them. */
const owner = (batch: number, shards: number) => shardOf({ shards }, batch);

/**
 * Every shard runs its batches in order until its own sequential test stops (as a shard's storm
 * does): the slots the merge gets, and how many batches each shard ran.
 */
function shardsOnTheirOwn(batches: readonly BatchPair[], shards: number) {
  const states = new Map<number, ReturnType<typeof initialState>>();
  const ran = new Map<number, number>();
  const slots = batches.map((pair, batch): BatchSlot => {
    const k = owner(batch, shards);
    const state = states.get(k) ?? initialState(settings);
    if (state.decision.state === 'stop') return { kind: 'partial' };
    states.set(k, advance(state, pair, settings));
    ran.set(k, (ran.get(k) ?? 0) + 1);
    return { kind: 'arrived', pair };
  });
  return { slots, ran: [...ran.values()], decisions: [...states.values()].map((s) => s.decision) };
}

describe('sequential stopping across shards, simulated (statistics only)', () => {
  it('with every shard arrived, decides exactly as one machine and sets aside what came after the stop', () => {
    const draw = seededBinomial(51);
    for (let run = 0; run < 300; run++) {
      const rates =
        run % 3 === 0
          ? { base: 0, head: 0.3 }
          : run % 3 === 1
            ? { base: 0.1, head: 0.1 }
            : { base: 0, head: 0 };
      const batches = plannedBatches(rates, draw);
      const fold = foldInIndexOrder(
        batches.map((pair): BatchSlot => ({ kind: 'arrived', pair })),
        settings,
      );
      const single = oneMachine(batches);
      expect(fold.state.decision).toEqual(single.decision);
      expect(fold.counted).toHaveLength(single.ran);
      expect(fold.afterStop).toHaveLength(planned - single.ran);
      expect(fold.missing).toEqual([]);
    }
  });

  it.each([
    [0.1, 2, 1500, 61],
    [0.3, 4, 1500, 62],
  ])(
    'false alarms at equal rates %d stay within alpha when shards of %i fail or stop early at random',
    (rate, shards, runs, seed) => {
      const draw = seededBinomial(seed);
      const coin = seededBinomial(seed + 1000);
      let alarms = 0;
      for (let run = 0; run < runs; run++) {
        const batches = plannedBatches({ base: rate, head: rate }, draw);
        // Each shard fails outright with probability 1/4, else runs a random share of its slice.
        const failed = new Set(
          Array.from({ length: shards }, (_, i) => i + 1).filter(() => coin(1, 0.25) === 1),
        );
        const stopsAfter = new Map(
          Array.from({ length: shards }, (_, i) => [i + 1, coin(planned, 1 / shards)] as const),
        );
        const seen = new Map<number, number>();
        const slots = batches.map((pair, batch): BatchSlot => {
          const k = owner(batch, shards);
          if (failed.has(k)) return { kind: 'missing' };
          const done = seen.get(k) ?? 0;
          seen.set(k, done + 1);
          return done < (stopsAfter.get(k) ?? 0) ? { kind: 'arrived', pair } : { kind: 'partial' };
        });
        const fold = foldInIndexOrder(slots, settings);
        if (fold.state.decision.reason === 'regression') alarms++;
      }
      expect(alarms / runs).toBeLessThanOrEqual(limit(settings.alpha, runs));
    },
  );

  it('a clear regression still settles from the shards that arrived, missing ones skipped', () => {
    const draw = seededBinomial(71);
    const runs = 300;
    let settled = 0;
    for (let run = 0; run < runs; run++) {
      const batches = plannedBatches({ base: 0, head: 0.3 }, draw);
      // Shard 1 of 3 lost: the test reads shards 2 and 3 only.
      const slots = batches.map(
        (pair, batch): BatchSlot => (owner(batch, 3) === 1 ? { kind: 'missing' } : { kind: 'arrived', pair }),
      );
      const fold = foldInIndexOrder(slots, settings);
      // Shard 1's batches the test passed over (up to its stop; all of them when it did not stop).
      const last = fold.state.decision.state === 'stop' ? (fold.counted.at(-1) ?? 0) : planned;
      const passed = Array.from({ length: planned }, (_, b) => b).filter(
        (b) => b < last && owner(b, 3) === 1,
      );
      expect(fold.missing).toEqual(passed);
      if (fold.state.decision.reason === 'regression') settled++;
    }
    expect(settled / runs).toBeGreaterThanOrEqual(1 - limit(settings.beta, runs));
  });

  it.each([
    [0.1, 2, 1000, 81],
    [0, 4, 300, 82],
  ])(
    'shards that stop on their own test: false alarms at equal rates %d, %i shards, stay within alpha, and the merge settles',
    (rate, shards, runs, seed) => {
      const draw = seededBinomial(seed);
      let alarms = 0;
      let open = 0;
      for (let run = 0; run < runs; run++) {
        const { slots } = shardsOnTheirOwn(plannedBatches({ base: rate, head: rate }, draw), shards);
        const fold = foldInIndexOrder(slots, settings);
        if (fold.state.decision.reason === 'regression') alarms++;
        if (fold.state.decision.state !== 'stop') open++;
      }
      expect(alarms / runs).toBeLessThanOrEqual(limit(settings.alpha, runs));
      // Shards disagreeing (one stops on "worse", another on "not worse") can leave the merge open.
      expect(open / runs).toBeLessThanOrEqual(limit(2 * settings.alpha, runs));
    },
  );

  it('shards that stop on their own test: a clear regression stops every shard within a few batches, and the merge says regression', () => {
    const draw = seededBinomial(91);
    const runs = 300;
    let settled = 0;
    for (let run = 0; run < runs; run++) {
      const { slots, ran } = shardsOnTheirOwn(plannedBatches({ base: 0, head: 0.3 }, draw), 2);
      // Each shard's own test needs minIterationsPerSide and its crossing: a few of its 30 batches.
      expect(Math.max(...ran)).toBeLessThanOrEqual(10);
      const fold = foldInIndexOrder(slots, settings);
      if (fold.state.decision.reason === 'regression') settled++;
    }
    expect(settled / runs).toBeGreaterThanOrEqual(1 - limit(settings.beta, runs));
  });
});
