import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { UsageError } from '../util/errors.js';
import { bundledWorkloadsDir } from '../util/paths.js';
import { FileSchemaError, parseYamlFile } from './parse-yaml-file.js';
import { type StormWorkload, type Workload, WorkloadFile, WorkloadSets } from './schema.js';

const hint =
  'Fix the file: every field is described in docs/workloads.md (editors check it with schemas/workload.schema.json).';

/** A workload and the file it came from. */
export interface LoadedWorkload<W extends Workload = Workload> {
  readonly workload: W;
  readonly file: string;
}

/** Parses one workload file's text; `file` is only used in error messages and the name check. */
export function parseWorkload(text: string, file: string): Workload {
  const { value, locate } = parseYamlFile(text, file, WorkloadFile, 'workload file', hint);
  const stem = basename(file, extname(file));
  if (value.name !== stem) {
    const at = locate(['name']);
    throw new FileSchemaError(
      'workload file',
      [{ file, ...at, path: 'name', reason: `name "${value.name}" must equal the file name "${stem}"` }],
      `Rename the file to ${value.name}.yaml or set name: ${stem}.`,
    );
  }
  return value;
}

export async function loadWorkloadFile(file: string): Promise<LoadedWorkload> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read workload file ${path}`, {
      cause: error,
      hint: 'Give a workload name from workloads/ or the path of a .yaml file.',
    });
  }
  return { workload: parseWorkload(text, path), file: path };
}

/** The workload names in a directory (every `*.yaml` except sets.yaml). */
export async function listWorkloadNames(dir: string = bundledWorkloadsDir): Promise<string[]> {
  const entries = await readdir(dir);
  return entries
    .filter((f) => f.endsWith('.yaml') && f !== 'sets.yaml')
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

function looksLikePath(nameOrPath: string): boolean {
  return nameOrPath.includes('/') || nameOrPath.endsWith('.yaml') || nameOrPath.endsWith('.yml');
}

/** A workload by name (looked up in `dir`) or by path. */
export async function resolveWorkload(
  nameOrPath: string,
  dir: string = bundledWorkloadsDir,
): Promise<LoadedWorkload> {
  if (looksLikePath(nameOrPath)) return loadWorkloadFile(nameOrPath);
  const names = await listWorkloadNames(dir);
  if (!names.includes(nameOrPath)) {
    throw new UsageError(`Unknown workload "${nameOrPath}"`, {
      hint: `Use one of: ${names.join(', ')}; or give the path of a workload .yaml file.`,
    });
  }
  return loadWorkloadFile(join(dir, `${nameOrPath}.yaml`));
}

/** Like resolveWorkload, for commands that need a signal storm (not a throughput definition). */
export async function resolveStormWorkload(
  nameOrPath: string,
  dir: string = bundledWorkloadsDir,
): Promise<LoadedWorkload<StormWorkload>> {
  const { workload, file } = await resolveWorkload(nameOrPath, dir);
  if (workload.kind !== 'storm') {
    throw new UsageError(
      `Workload "${workload.name}" (${file}) is a ${workload.kind} definition, not a storm`,
      {
        hint: 'Pick a storm workload (kind: storm); throughput definitions are run by validate.',
      },
    );
  }
  return { workload, file };
}

/** The workload names of a set in `dir/sets.yaml` (`default` when none is named), checked to exist. */
export async function loadWorkloadSet(
  setName = 'default',
  dir: string = bundledWorkloadsDir,
): Promise<string[]> {
  const file = join(dir, 'sets.yaml');
  const text = await readFile(file, 'utf8');
  const { value, locate } = parseYamlFile(text, file, WorkloadSets, 'workload sets file', hint);
  const names = await listWorkloadNames(dir);
  const problems = Object.entries(value).flatMap(([set, members]) =>
    members.flatMap((member, index) =>
      names.includes(member)
        ? []
        : [
            {
              file,
              ...locate([set, index]),
              path: `${set}[${index}]`,
              reason: `no workload ${member}.yaml in ${dir}`,
            },
          ],
    ),
  );
  if (problems.length > 0) throw new FileSchemaError('workload sets file', problems, hint);
  const members = value[setName];
  if (!members) {
    throw new UsageError(`Unknown workload set "${setName}"`, {
      hint: `Use one of: ${Object.keys(value).join(', ')}.`,
    });
  }
  return members;
}
