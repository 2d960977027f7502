import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultMaxBlobBytes } from '../../pipeline/read-shard-blobs.js';
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
  await mkdir(dir, { recursive: true });
  const artifacts = await listArtifacts(octokit, where, runId);
  const collected: CollectedBlobs = { files: [], refused: [], absent: new Map() };
  for (let shard = 1; shard <= shards; shard++) {
    const { artifact: name, entry } = shardArtifact(shard, shards);
    const artifact = artifacts.find((a) => a.name === name);
    const refuse = (why: string) => collected.refused.push({ file: `artifact ${name}`, why, shard });
    if (!artifact) {
      const job = jobs.find((j) => j.shard === shard);
      collected.absent.set(
        shard,
        job
          ? `its job "${job.name}" ended ${job.conclusion ?? job.status} without an artifact ${name}`
          : `the run has no job for it and no artifact ${name}`,
      );
      continue;
    }
    if (artifact.expired) {
      refuse('expired before sigstorm could download it');
      continue;
    }
    if (artifact.sizeInBytes > maxBytes) {
      refuse(`${artifact.sizeInBytes} bytes, more than a shard blob may be`);
      continue;
    }
    let blob: Buffer;
    try {
      const zip = await downloadArtifact(octokit, where, artifact.id, maxBytes);
      blob = readZipEntry(zip, entry, { maxEntryBytes: maxBytes, maxEntries: 16 });
    } catch (error) {
      const gone = httpStatus(error) === 404 || httpStatus(error) === 410;
      if (error instanceof ZipError || error instanceof ArtifactRefused || gone) {
        refuse(gone ? 'GitHub no longer has it' : error instanceof Error ? error.message : String(error));
        continue;
      }
      throw error;
    }
    const file = join(dir, entry);
    await writeFile(file, blob);
    collected.files.push(file);
  }
  return collected;
}
