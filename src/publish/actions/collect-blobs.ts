import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultMaxBlobBytes } from '../../pipeline/shards/read-shard-blobs.js';
import { pathExists } from '../../util/path-exists.js';
import { readZipEntry, ZipError } from '../../util/zip.js';
import { httpStatus, type Octokit } from '../github/octokit.js';
import {
  ArtifactRefused,
  downloadArtifact,
  listArtifacts,
  type RepoRef,
  type ShardJob,
} from './actions-api.js';

/** What the merge gets from a completed run: blob files, refused artifacts, and why other shards gave none. */
export interface CollectedBlobs {
  readonly files: string[];
  readonly refused: { file: string; why: string; shard: number }[];
  readonly absent: Map<number, string>;
}

/** The artifact a shard job uploads and the blob file in it (.github/workflows/validate.yml). */
export function shardArtifact(shard: number, shards: number): { artifact: string; entry: string } {
  return { artifact: `sigstorm-shard-${shard}`, entry: `shard-${shard}-of-${shards}.json` };
}

/** One shard's artifact: its blob file, refused (why), or absent (why). */
export type ShardArtifact =
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'refused'; readonly file: string; readonly why: string }
  | { readonly kind: 'absent'; readonly why: string };

/**
 * Downloads each shard's blob artifact into `dir` under a name of sigstorm's choosing (never the
 * archive's). Artifacts are untrusted data: size-limited before and while downloading, unzipped by
 * the strict reader (unsafe entry paths refuse the whole archive), only the expected blob read. A
 * bad artifact is a refused shard, named in the report; only GitHub failing throws (retried later).
 */
export async function collectBlobs(
  octokit: Octokit,
  where: RepoRef,
  runId: number,
  shards: number,
  jobs: readonly ShardJob[],
  dir: string,
  maxBytes = defaultMaxBlobBytes,
): Promise<CollectedBlobs> {
  const artifacts = await listArtifacts(octokit, where, runId);
  const collected: CollectedBlobs = { files: [], refused: [], absent: new Map() };
  for (let shard = 1; shard <= shards; shard++) {
    const got = await collectShard(octokit, where, { artifacts, jobs, shard, shards, dir, maxBytes });
    if (got.kind === 'file') collected.files.push(got.file);
    else if (got.kind === 'refused') collected.refused.push({ file: got.file, why: got.why, shard });
    else collected.absent.set(shard, got.why);
  }
  return collected;
}

/**
 * One shard's blob from the run's artifacts (listed by the caller), checked as collectBlobs says. A
 * blob already in `dir` (kept by the progress pass of the same run, after the same checks) is not
 * downloaded again; the merge reads and checks it like any other.
 */
export async function collectShard(
  octokit: Octokit,
  where: RepoRef,
  options: {
    readonly artifacts: Awaited<ReturnType<typeof listArtifacts>>;
    readonly jobs: readonly ShardJob[];
    readonly shard: number;
    readonly shards: number;
    readonly dir: string;
    readonly maxBytes?: number;
  },
): Promise<ShardArtifact> {
  const { artifacts, jobs, shard, shards, dir, maxBytes = defaultMaxBlobBytes } = options;
  const { artifact: name, entry } = shardArtifact(shard, shards);
  const file = join(dir, entry);
  if (await pathExists(file)) return { kind: 'file', file };
  const artifact = artifacts.find((a) => a.name === name);
  const refuse = (why: string): ShardArtifact => ({ kind: 'refused', file: `artifact ${name}`, why });
  if (!artifact) {
    const job = jobs.find((j) => j.shard === shard);
    return {
      kind: 'absent',
      why: job
        ? `its job "${job.name}" ended ${job.conclusion ?? job.status} without an artifact ${name}`
        : `the run has no job for it and no artifact ${name}`,
    };
  }
  if (artifact.expired) return refuse('expired before sigstorm could download it');
  if (artifact.sizeInBytes > maxBytes)
    return refuse(`${artifact.sizeInBytes} bytes, more than a shard blob may be`);
  let blob: Buffer;
  try {
    const zip = await downloadArtifact(octokit, where, artifact.id, maxBytes);
    blob = readZipEntry(zip, entry, { maxEntryBytes: maxBytes, maxEntries: 16 });
  } catch (error) {
    const gone = httpStatus(error) === 404 || httpStatus(error) === 410;
    if (error instanceof ZipError || error instanceof ArtifactRefused || gone) {
      return refuse(
        gone ? 'GitHub no longer has it' : error instanceof Error ? error.message : String(error),
      );
    }
    throw error;
  }
  await mkdir(dir, { recursive: true });
  // Whole or not at all: a crash mid-write leaves no half blob for the next pass to reuse.
  await writeFile(`${file}.part`, blob);
  await rename(`${file}.part`, file);
  return { kind: 'file', file };
}
