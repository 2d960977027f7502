import type { z } from 'zod';
import { RepoConfig } from '../src/config/repo-config.schema.js';
import { ShardBlob } from '../src/pipeline/shards/shard-blob.schema.js';
import { BisectResult } from '../src/report/bisect/bisect-result.schema.js';
import { Report } from '../src/report/report.schema.js';
import { WorkloadFile, WorkloadSets } from '../src/workload/schema.js';

/** A JSON Schema written for users' editors from the zod schema that is the source of truth. */
export interface SchemaEntry {
  /** File name under schemas/. */
  readonly file: string;
  readonly title: string;
  readonly schema: z.ZodType;
}

/** Every generated JSON Schema. To add one: append an entry (one import + one line). */
export const schemaRegistry: readonly SchemaEntry[] = [
  { file: 'workload.schema.json', title: 'sigstorm workload', schema: WorkloadFile },
  {
    file: 'workload-sets.schema.json',
    title: 'sigstorm workload sets (workloads/sets.yaml)',
    schema: WorkloadSets,
  },
  {
    file: 'sigstorm-config.schema.json',
    title: 'sigstorm GitHub App config (.github/sigstorm.yml)',
    schema: RepoConfig,
  },
  { file: 'report.schema.json', title: 'sigstorm validation report (report.json)', schema: Report },
  {
    file: 'shard-blob.schema.json',
    title: 'sigstorm shard blob (validate --shard K/N, read by sigstorm merge)',
    schema: ShardBlob,
  },
  {
    file: 'bisect-result.schema.json',
    title: 'sigstorm bisection result (bisect --json-file)',
    schema: BisectResult,
  },
];
