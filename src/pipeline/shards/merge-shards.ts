import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { compare } from '../../compare/compare.js';
import { withMissingIterations } from '../../compare/stability/missing-iterations.js';
import type { Thresholds } from '../../config/thresholds.schema.js';
import type { NotRun } from '../../report/report.schema.js';
import { UsageError } from '../../util/errors.js';
import { makeDir } from '../../util/make-dir.js';
import { writeReport } from '../output/write-report.js';
import type { ValidateResult } from '../request/contract.js';
import { type CellTally, type MergedCells, type MissingShard, mergeCells } from './merge-cells.js';
import { type BlobReading, choosePlan, defaultMaxBlobBytes, readShardBlob } from './read-shard-blobs.js';
import type { ShardBlob } from './shard-blob.schema.js';
import type { ShardPlan } from './shard-plan.js';

export interface MergeRequest {
  readonly files: readonly string[];
  /** Where to write report.json, report.md and iterations/. */
  readonly outDir: string;
  readonly maxBlobBytes?: number;
  /** The thresholds the shards must have been planned with (the config's), when the merge reads one. */
  readonly thresholds?: Thresholds;
  /** Blobs refused before they became files (an artifact that did not unzip): named like refused files. */
  readonly refused?: readonly { readonly file: string; readonly why: string; readonly shard: number }[];
  /** Why a shard gave no blob, when the caller knows (its Actions job failed, was cancelled…). */
  readonly absent?: ReadonlyMap<number, string>;
}

export interface MergeResult extends ValidateResult {
  readonly plan: ShardPlan;
  /** Every planned shard: the blob it came from, or why it is missing. */
  readonly shards: ({ shard: number; file: string } | MissingShard)[];
  /** Refused files not named as a missing shard's blob (no readable shard, or a shard that arrived). */
  readonly unplaced: { file: string; why: string }[];
  readonly tallies: CellTally[];
}

/**
 * `sigstorm merge`: the shards' blobs of one validation into the report one machine would have
 * written for the same iterations (./merge-cells.ts), with every missing or refused shard named
 * and its iterations counted as missing.
 */
export async function mergeShards(request: MergeRequest): Promise<MergeResult> {
  // 1. Read every blob as untrusted data; keep those of the plan most of them share.
  const { plan, blobs, refused } = choosePlan(await readBlobs(request));
  if (!plan) throw nothingToMerge(refused);
  // 2. Every planned shard: arrived, refused (named, with the file and why) or never given.
  const { shards, missing, unplaced } = placeShards(plan, blobs, refused, request.absent);
  // 3. Cells in index order with sequential stopping, then compare; missing is never clean.
  const byShard = new Map<number, ShardBlob>([...blobs].map(([k, b]) => [k, b.blob]));
  const merged = mergeCells(plan, byShard, missing);
  const comparison = withMissingIterations(
    compare(merged.cells, merged.throughput, plan.thresholds),
    merged.missing,
  );
  // 4. The report and the iterations, as `sigstorm validate` writes them.
  const outDir = resolve(request.outDir);
  await writeIterations(outDir, plan, merged.records);
  const info = byShard.get(Math.min(...byShard.keys()));
  if (!info) throw new Error('a chosen plan without blobs');
  const { report, markdown } = await writeReport({
    base: info.base,
    head: info.head,
    comparison,
    notRun: [
      ...unplaced.map((u) => ({ what: `blob ${u.file}`, why: `refused: ${u.why}` })),
      ...merged.notRun,
      ...reusedBase(byShard.values()),
    ],
    runs: [],
    thresholds: plan.thresholds,
    outDir,
  });
  const { verdict, headline } = report;
  return { verdict, headline, markdown, report, outDir, plan, shards, unplaced, tallies: merged.tallies };
}

/**
 * Every file given, read as untrusted data, and the blobs refused before they became files. One at
 * a time: only one blob's text is held besides the parsed records (256 blobs add up).
 */
async function readBlobs(request: MergeRequest): Promise<BlobReading[]> {
  const readings: BlobReading[] = (request.refused ?? []).map((r) => ({ kind: 'refused', ...r }));
  for (const file of request.files) {
    const reading = await readShardBlob(file, request.maxBlobBytes ?? defaultMaxBlobBytes);
    // A shard planned under another config is refused like any other bad blob: named, never merged.
    const other = reading.kind === 'accepted' && otherThresholds(reading.blob, request.thresholds);
    readings.push(
      other && reading.kind === 'accepted'
        ? { kind: 'refused', file, shard: reading.blob.shard, why: other }
        : reading,
    );
  }
  return readings;
}

type Refused = ReturnType<typeof choosePlan>['refused'];

/** Every file given was refused: the input is wrong, not the run (exit 2 on the CLI). */
function nothingToMerge(refused: Refused): UsageError {
  const configs = refused.some((r) => r.why.startsWith(thresholdsMismatch));
  return new UsageError('No shard blob to merge', {
    details: refused.map((r) => `${r.file}: ${r.why}`).join('\n') || 'no files given',
    hint: configs
      ? 'Run the shards and the merge with the same .github/sigstorm.yml (the workflow passes one config to every job), or merge with --no-config.'
      : 'Give the blobs `sigstorm validate --shard K/N` wrote (shard-K-of-N.json); at least one must be intact.',
  });
}

/** Each planned shard's blob, or why it is missing; refused files that name no missing shard. */
function placeShards(
  plan: ShardPlan,
  blobs: ReturnType<typeof choosePlan>['blobs'],
  refused: Refused,
  absent: MergeRequest['absent'],
): Pick<MergeResult, 'shards' | 'unplaced'> & { missing: MissingShard[] } {
  const placed = new Set([...blobs.values()].map((b) => b.file));
  const unplaced = refused
    // Named with their shard below when it is missing; here when not (no shard, or one that arrived).
    .filter((r) => r.shard === undefined || r.shard < 1 || r.shard > plan.shards || blobs.has(r.shard))
    .filter((r) => !placed.has(r.file))
    .map((r) => ({ file: r.file, why: r.why }));
  const shards: MergeResult['shards'] = [];
  const missing: MissingShard[] = [];
  for (let k = 1; k <= plan.shards; k++) {
    const got = blobs.get(k);
    if (got) {
      shards.push({ shard: k, file: got.file });
      continue;
    }
    const bad = refused.filter((r) => r.shard === k);
    const maybe =
      unplaced.length > 0 ? `, unless it is among the refused ${unplaced.map((u) => u.file).join(', ')}` : '';
    const why =
      bad.length > 0
        ? `its blob was refused: ${bad.map((r) => `${r.file}: ${r.why}`).join('; ')}`
        : `no blob of it was given (${absent?.get(k) ?? 'the shard failed, timed out or was cancelled'}${maybe})`;
    missing.push({ shard: k, why });
    shards.push({ shard: k, why });
  }
  return { shards, missing, unplaced };
}

/** iterations/<workload>.<variant>.<side>.jsonl of every planned cell, as `sigstorm validate` writes them. */
async function writeIterations(
  outDir: string,
  plan: ShardPlan,
  records: MergedCells['records'],
): Promise<void> {
  await makeDir(join(outDir, 'iterations'));
  for (const [index, cell] of plan.cells.entries()) {
    for (const side of ['base', 'head'] as const) {
      await writeFile(
        join(outDir, 'iterations', `${cell.workload}.${cell.variant}.${side}.jsonl`),
        (records[index]?.[side] ?? []).map((r) => `${JSON.stringify(r)}\n`).join(''),
      );
    }
  }
}

/** The "not run" line for base iterations the shards took from the base-results cache, if any. */
function reusedBase(blobs: Iterable<ShardBlob>): NotRun[] {
  let reused = 0;
  for (const blob of blobs) for (const cell of blob.cells) reused += cell.reusedBase;
  if (reused === 0) return [];
  return [
    {
      what: `${reused} base iterations`,
      why: 'reused from an earlier validation against the same base build (not re-run)',
    },
  ];
}

const thresholdsMismatch = 'planned with other thresholds than the config';

/** Why a blob's plan does not use the config's thresholds (each differing setting), or false. */
function otherThresholds(blob: ShardBlob, thresholds: Thresholds | undefined): string | false {
  if (!thresholds) return false;
  const plain = (t: Thresholds): unknown => JSON.parse(JSON.stringify(t));
  if (isDeepStrictEqual(plain(blob.plan.thresholds), plain(thresholds))) return false;
  const leaves = (value: unknown, path: string, into: Map<string, string>) => {
    if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) leaves(inner, path ? `${path}.${key}` : key, into);
    } else into.set(path, JSON.stringify(value));
    return into;
  };
  const planned = leaves(plain(blob.plan.thresholds), '', new Map());
  const wanted = leaves(plain(thresholds), '', new Map());
  const differ = [...new Set([...planned.keys(), ...wanted.keys()])]
    .filter((key) => planned.get(key) !== wanted.get(key))
    .map((key) => `${key} ${planned.get(key) ?? 'unset'}, not ${wanted.get(key) ?? 'unset'}`);
  return `${thresholdsMismatch}'s (plan ${blob.plan.id}: ${differ.join('; ')})`;
}
