import { open } from 'node:fs/promises';
import { UsageError } from '../../util/errors.js';
import { formatSize } from '../../util/size.js';
import { cellSeed, inSlice } from '../schedule/cell-run.js';
import { ShardBlob } from './shard-blob.schema.js';
import { batchSlice, describeSlice, planId, type ShardPlan } from './shard-plan.js';

/** A blob larger than this is refused unread (a shard of 2,000 iterations per side and cell is a few MiB). */
export const defaultMaxBlobBytes = 256 * 1024 ** 2;

/** One file given to the merge: a blob that passed every check, or why it was refused. */
export type BlobReading =
  | { readonly kind: 'accepted'; readonly file: string; readonly blob: ShardBlob }
  | {
      readonly kind: 'refused';
      readonly file: string;
      readonly why: string;
      /** The shard the file says it is, when that much could be read. */
      readonly shard?: number;
    };

/** Reads and checks one blob; never throws for what the file holds (it is untrusted data). */
export async function readShardBlob(file: string, maxBytes = defaultMaxBlobBytes): Promise<BlobReading> {
  const refuse = (why: string, shard?: number): BlobReading => ({
    kind: 'refused',
    file,
    why,
    ...(shard === undefined ? {} : { shard }),
  });
  let text: string;
  try {
    text = await readLimited(file, maxBytes);
  } catch (error) {
    return refuse(error instanceof Error ? error.message : String(error), shardFromName(file));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return refuse(
      `not JSON (${error instanceof Error ? error.message : String(error)})`,
      shardFromName(file),
    );
  }
  const claimed = claimedShard(json) ?? shardFromName(file);
  const parsed = ShardBlob.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(
      `not a sigstorm shard blob (${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'})`,
      claimed,
    );
  }
  const why = inconsistency(parsed.data);
  return why ? refuse(why, parsed.data.shard) : { kind: 'accepted', file, blob: parsed.data };
}

async function readLimited(file: string, maxBytes: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) {
      throw new Error(`${formatSize(size)}, more than the ${formatSize(maxBytes)} a shard blob may be`);
    }
    // Read at most one byte past the limit: a file that grows while read is refused too.
    const buffer = Buffer.alloc(Math.min(size, maxBytes) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > maxBytes) throw new Error(`more than the ${formatSize(maxBytes)} a shard blob may be`);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The shard a file's name says it is (`shard-2-of-4.json`, as `validate --shard` names blobs). */
function shardFromName(file: string): number | undefined {
  const match = /shard-(\d+)-of-\d+[^/]*$/.exec(file);
  return match ? Number(match[1]) : undefined;
}

function claimedShard(json: unknown): number | undefined {
  if (typeof json !== 'object' || json === null || !('shard' in json)) return undefined;
  return Number.isInteger(json.shard) ? (json.shard as number) : undefined;
}

/**
 * What makes a well-formed blob disagree with its own plan: an id that is not the plan's hash, a
 * shard outside 1..N, unknown or repeated cells, records of another cell or seed, iterations
 * outside the shard's planned batches or seen twice. Null when it agrees.
 */
function inconsistency(blob: ShardBlob): string | null {
  const { plan, shard } = blob;
  const { id, ...body } = plan;
  if (planId(body) !== id) return `its plan does not match its plan id ${id} (edited?)`;
  if (shard > plan.shards) return `shard ${shard} of a plan of ${plan.shards} shards`;
  const seen = new Set<number>();
  for (const cell of blob.cells) {
    const planned = plan.cells[cell.cell];
    if (!planned) return `cell ${cell.cell} is not in the plan (${plan.cells.length} cells)`;
    if (seen.has(cell.cell)) return `cell ${cell.cell} appears twice`;
    seen.add(cell.cell);
    const slice = batchSlice(plan, planned, shard);
    const seed = cellSeed(plan.seed, planned.workload);
    for (const side of ['base', 'head'] as const) {
      const indices = new Set<number>();
      for (const record of cell[side]) {
        const where = `${planned.workload} (${planned.variant}) ${side} iteration ${record.iteration}`;
        if (record.workload !== planned.workload || record.variant !== planned.variant) {
          return `${where} is a record of ${record.workload} (${record.variant})`;
        }
        if (record.seed !== seed) return `${where} has seed ${record.seed}, not the plan's ${seed}`;
        if (!inSlice(slice, Math.floor(record.iteration / plan.batchSize))) {
          return `${where} is outside shard ${shard}'s planned iterations ${describeSlice(slice, plan.batchSize)}`;
        }
        if (indices.has(record.iteration)) return `${where} appears twice`;
        indices.add(record.iteration);
      }
    }
  }
  return null;
}

/** The plan most accepted blobs agree on; blobs of other plans and second blobs of a shard are refused. */
export function choosePlan(readings: readonly BlobReading[]): {
  plan: ShardPlan | null;
  blobs: Map<number, { file: string; blob: ShardBlob }>;
  refused: Extract<BlobReading, { kind: 'refused' }>[];
} {
  const refused = readings.filter((r) => r.kind === 'refused');
  const accepted = readings.filter((r) => r.kind === 'accepted');
  const votes = new Map<string, number>();
  for (const r of accepted) votes.set(r.blob.plan.id, (votes.get(r.blob.plan.id) ?? 0) + 1);
  const ranked = [...votes.entries()].sort((a, b) => b[1] - a[1]);
  const winner = ranked[0]?.[0];
  if (ranked[0] && ranked[1] && ranked[1][1] === ranked[0][1]) {
    throw new UsageError(
      `The blobs belong to ${ranked.length} different validations (plans ${ranked.map(([id]) => id).join(', ')})`,
      {
        details: accepted.map((r) => `${r.file}: shard ${r.blob.shard} of plan ${r.blob.plan.id}`).join('\n'),
        hint: 'Merge the blobs of one validation: the shards of one `sigstorm validate --shard K/N` run with the same inputs.',
      },
    );
  }
  const blobs = new Map<number, { file: string; blob: ShardBlob }>();
  let plan: ShardPlan | null = null;
  for (const r of accepted) {
    if (r.blob.plan.id !== winner) {
      refused.push({
        kind: 'refused',
        file: r.file,
        shard: r.blob.shard,
        why: `a shard of another validation (plan ${r.blob.plan.id}, not ${winner})`,
      });
      continue;
    }
    plan ??= r.blob.plan;
    const earlier = blobs.get(r.blob.shard);
    if (earlier) {
      refused.push({
        kind: 'refused',
        file: r.file,
        shard: r.blob.shard,
        why: `a second blob of shard ${r.blob.shard} (the first: ${earlier.file})`,
      });
      continue;
    }
    blobs.set(r.blob.shard, { file: r.file, blob: r.blob });
  }
  return { plan, blobs, refused };
}
