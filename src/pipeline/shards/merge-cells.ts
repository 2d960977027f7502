import type { CellInput, ThroughputInput } from '../../compare/input.js';
import { observeSide } from '../../compare/observe-side.js';
import { countBatch } from '../../compare/sequential/count-batch.js';
import { type BatchSlot, foldInIndexOrder } from '../../compare/sequential/index-order.js';
import { sequentialSettings } from '../../compare/sequential/settings.js';
import type { MissingIterations } from '../../compare/stability/missing-iterations.js';
import type { NotRun } from '../../report/report.schema.js';
import type { IterationRecord } from '../../storm/record.js';
import { haltedField } from '../schedule/cell-inputs.js';
import { sliceSize } from '../schedule/cell-run.js';
import type { ShardBlob } from './shard-blob.schema.js';
import { batchSlice, describeRanges, type ShardPlan, type ShardPlanCell, shardOf } from './shard-plan.js';

/** Why a planned shard has no blob in the merge: never given, or refused (and why). */
export interface MissingShard {
  readonly shard: number;
  readonly why: string;
}

/** Per cell and side: iterations that arrived, that the comparison counts, and that it set aside. */
export interface CellTally {
  readonly workload: string;
  readonly variant: string;
  readonly arrived: { base: number; head: number };
  readonly counted: { base: number; head: number };
  /** After the sequential test stopped (in index order): one machine would never have run them. */
  readonly afterStop: { base: number; head: number };
  /** In a batch one side of which is incomplete (a shard cut short mid-batch). */
  readonly partial: { base: number; head: number };
  /** Planned iterations of missing shards. */
  readonly missing: number;
}

export interface MergedCells {
  readonly cells: CellInput[];
  readonly throughput: ThroughputInput[];
  readonly notRun: NotRun[];
  readonly missing: MissingIterations[];
  readonly tallies: CellTally[];
  /** Every arrived record per cell and side, in index order (for the merged iterations/ files). */
  readonly records: { base: IterationRecord[]; head: IterationRecord[] }[];
}

/**
 * The comparison's input from the shards' blobs, as one machine would have had it: every cell's
 * batches fed to its sequential test in index order (batch k holds iterations k·b … k·b + b − 1 on
 * both sides), the test stopping at its first crossing and what came after set aside. Batches of
 * missing shards are skipped (their iterations are missing, never clean), and so are batches a
 * shard never ran (it had stopped the cell on its own test, or spent its budget); a batch only one
 * side of which is complete is set aside too, as a half-run batch would bias the test.
 */
export function mergeCells(
  plan: ShardPlan,
  blobs: ReadonlyMap<number, ShardBlob>,
  missingShards: readonly MissingShard[],
): MergedCells {
  const noisy = plan.thresholds.findings.noisyFamilies;
  const cells: CellInput[] = [];
  const notRun: NotRun[] = [];
  const missing: MissingIterations[] = [];
  const tallies: CellTally[] = [];
  const records: MergedCells['records'] = [];
  for (const shard of missingShards) {
    notRun.push({
      what: `shard ${shard.shard}/${plan.shards} (${describeRanges(plan, shard.shard)})`,
      why: `${shard.why}; its iterations count as missing, not clean`,
    });
  }
  for (const [index, cell] of plan.cells.entries()) {
    const merged = mergeCell(plan, index, cell, blobs, noisy);
    const name = `${cell.workload} (${cell.variant})`;
    cells.push(merged.input);
    tallies.push(merged.tally);
    records.push(merged.records);
    const { afterStop, partial, counted } = merged.tally;
    if (afterStop.base + afterStop.head > 0) {
      notRun.push({
        what: `${afterStop.base} base and ${afterStop.head} head iterations of ${name}`,
        why: 'they came after the sequential test had stopped (iterations in index order): not counted, as on one machine',
      });
    }
    if (partial.base + partial.head > 0) {
      notRun.push({
        what: `${partial.base} base and ${partial.head} head iterations of ${name}`,
        why: 'in batches a shard cut short on one side (a half-run batch would bias the sequential test): not counted',
      });
    }
    const gaps = missingShards.filter((m) => sliceSize(batchSlice(plan, cell, m.shard)) > 0);
    if (gaps.length > 0 && merged.tally.missing > 0) {
      missing.push({
        workload: cell.workload,
        variant: cell.variant,
        because: `${merged.tally.missing} planned iterations per side of shard${gaps.length === 1 ? '' : 's'} ${gaps.map((g) => `${g.shard}/${plan.shards}`).join(', ')} are missing`,
      });
    }
    if (merged.open && merged.unrun.length > 0) {
      notRun.push({
        what: `more iterations of ${name}`,
        why: `${merged.unrun.join('; ')}; ${counted.base} base and ${counted.head} head iterations counted`,
      });
    } else if (merged.open && merged.decided.length > 0) {
      notRun.push({
        what: `more iterations of ${name}`,
        why: `shard${merged.decided.length === 1 ? '' : 's'} ${merged.decided.map((k) => `${k}/${plan.shards}`).join(', ')} stopped on ${merged.decided.length === 1 ? 'its' : 'their'} own sequential test, and all batches together did not settle the cell (the shards' evidence differs); ${counted.base} base and ${counted.head} head iterations counted`,
      });
    }
  }
  const first = blobs.get(1);
  const throughput: ThroughputInput[] = first ? first.throughput : [];
  if (first) notRun.push(...first.notRun);
  else if (plan.throughput.runs > 0) {
    notRun.push({ what: 'throughput', why: `measured by shard 1/${plan.shards}, which is missing` });
  }
  for (const [k, blob] of blobs) if (k !== 1) notRun.push(...blob.notRun);
  return { cells, throughput, notRun, missing, tallies, records };
}

function mergeCell(
  plan: ShardPlan,
  index: number,
  cell: ShardPlanCell,
  blobs: ReadonlyMap<number, ShardBlob>,
  noisy: readonly string[],
) {
  const size = plan.batchSize;
  const settings = sequentialSettings(plan.thresholds, cell.variant, plan.cells.length, cell.cap);
  const byBatch = { base: new Map<number, IterationRecord[]>(), head: new Map<number, IterationRecord[]>() };
  const all: { base: IterationRecord[]; head: IterationRecord[] } = { base: [], head: [] };
  const unrun: string[] = [];
  /** Shards that stopped the cell on their own sequential test before their last batch. */
  const decided: number[] = [];
  /** How the first shard (in shard order) that stopped its slice short stopped it. */
  let shortStop: ShardBlob['cells'][number]['stop'] | undefined;
  for (const [k, blob] of [...blobs].sort(([a], [b]) => a - b)) {
    const got = blob.cells.find((c) => c.cell === index);
    const planned = sliceSize(batchSlice(plan, cell, k));
    if (got && got.stop !== 'slice' && got.stop !== 'decision' && planned > 0) {
      unrun.push(`shard ${k}/${plan.shards}: ${stopWhy(got.stop)}`);
      shortStop ??= got.stop;
    }
    if (got?.stop === 'decision' && Math.min(got.base.length, got.head.length) < planned * size)
      decided.push(k);
    for (const side of ['base', 'head'] as const) {
      for (const record of got?.[side] ?? []) {
        const batch = Math.floor(record.iteration / size);
        byBatch[side].set(batch, [...(byBatch[side].get(batch) ?? []), record]);
        all[side].push(record);
      }
    }
  }
  for (const side of ['base', 'head'] as const) all[side].sort((a, b) => a.iteration - b.iteration);

  const slots: BatchSlot[] = [];
  const byIndex: { base: IterationRecord[]; head: IterationRecord[] }[] = [];
  for (let batch = 0; batch < cell.batches; batch++) {
    const base = byBatch.base.get(batch) ?? [];
    const head = byBatch.head.get(batch) ?? [];
    byIndex.push({ base, head });
    if (!blobs.has(shardOf(plan, batch))) slots.push({ kind: 'missing' });
    else if (base.length === size && head.length === size) {
      slots.push({ kind: 'arrived', pair: { base: countBatch(base, noisy), head: countBatch(head, noisy) } });
    } else slots.push({ kind: 'partial' });
  }
  const fold = foldInIndexOrder(slots, settings);
  const pick = (indices: readonly number[], side: 'base' | 'head') =>
    indices.flatMap((i) => byIndex[i]?.[side] ?? []);
  const used = { base: pick(fold.counted, 'base'), head: pick(fold.counted, 'head') };
  const batches = fold.counted.flatMap((i) => {
    const slot = slots[i];
    return slot?.kind === 'arrived' ? [slot.pair] : [];
  });
  const late = new Set(fold.afterStop);
  const partialIndices = slots.flatMap((slot, i) => (slot.kind === 'partial' && !late.has(i) ? [i] : []));
  const afterStop = {
    base: pick(fold.afterStop, 'base').length,
    head: pick(fold.afterStop, 'head').length,
  };
  const partial = { base: pick(partialIndices, 'base').length, head: pick(partialIndices, 'head').length };
  const missing = fold.missing.length * size;
  const state = fold.state;
  const input: CellInput = {
    workload: cell.workload,
    variant: cell.variant,
    side: cell.side,
    base: observeSide(used.base, noisy, { interrupted: partial.base > 0 }),
    head: observeSide(used.head, noisy, { interrupted: partial.head > 0 }),
    batches,
    cap: cell.cap,
    ...haltedField(shortStop, state.decision.state !== 'stop'),
  };
  const tally: CellTally = {
    workload: cell.workload,
    variant: cell.variant,
    arrived: { base: all.base.length, head: all.head.length },
    counted: { base: used.base.length, head: used.head.length },
    afterStop,
    partial,
    missing,
  };
  return { input, tally, records: all, open: state.decision.state !== 'stop', unrun, decided };
}

function stopWhy(stop: ShardBlob['cells'][number]['stop']): string {
  switch (stop) {
    case 'budget':
      return 'its storm time budget was spent';
    case 'fail-fast':
      return 'stopped early (fail fast)';
    case 'cancelled':
      return 'cancelled';
    case null:
      return 'not reached';
    case 'decision':
    case 'slice':
      return 'ran its slice';
    default: {
      const never: never = stop;
      return never;
    }
  }
}
