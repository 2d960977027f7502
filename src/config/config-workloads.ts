import { LineCounter, parseDocument } from 'yaml';
import { SigstormError } from '../util/errors.js';
import { loadWorkloadSet, resolveWorkload } from '../workload/load.js';
import { locatePath } from '../workload/yaml-location.js';
import type { RepoConfig } from './repo-config.schema.js';
import type { ConfigProblem } from './repo-config-parse.js';

/**
 * The workloads a valid config names (`workloads`, `release.workloads`) that do not exist, each at
 * its file:line:column, so a typo is found before a validation builds anything.
 */
export async function checkConfigWorkloads(
  text: string,
  file: string,
  config: RepoConfig,
): Promise<ConfigProblem[]> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const named: { path: (string | number)[]; name: string }[] = [
    ...(config.workloads ?? []).map((name, i) => ({ path: ['workloads', i], name })),
    ...(config.release?.workloads ?? []).map((name, i) => ({ path: ['release', 'workloads', i], name })),
  ];
  const problems: ConfigProblem[] = [];
  for (const { path, name } of named) {
    const reason = await whyNot(name);
    if (reason === undefined) continue;
    problems.push({ file, ...locatePath(doc, lines, path), path: formatPath(path), reason });
  }
  return problems;
}

async function whyNot(name: string): Promise<string | undefined> {
  try {
    if (name.startsWith('set:')) await loadWorkloadSet(name.slice(4));
    else await resolveWorkload(name);
    return undefined;
  } catch (error) {
    if (!(error instanceof SigstormError)) throw error;
    return error.hint ? `${error.message}. ${error.hint}` : error.message;
  }
}

function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`))
    .join('')
    .slice(1);
}
