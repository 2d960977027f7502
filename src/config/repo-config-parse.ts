import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { locateKey, locatePath, offsetToLocation } from '../workload/yaml-location.js';
import { configPath, RepoConfig } from './repo-config.schema.js';

/** One thing wrong with `.github/sigstorm.yml`, located (when the text is at hand) for a person to fix. */
export interface ConfigProblem {
  readonly file: string;
  /** 1-based; absent when only the parsed value was available. */
  readonly line?: number;
  readonly column?: number;
  /** The field, e.g. `policy.stability.regression`; empty for the whole document. */
  readonly path: string;
  readonly reason: string;
}

export type RepoConfigResult =
  | {
      readonly ok: true;
      readonly config: RepoConfig;
      /** The value as read, before defaults: written back as YAML, it is the same config (one config per run). */
      readonly value: unknown;
    }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Validates an already-parsed value (what Probot's config loader returns). */
export function checkRepoConfig(value: unknown, file = configPath): RepoConfigResult {
  const result = RepoConfig.safeParse(value ?? {});
  if (result.success) return { ok: true, config: result.data, value: value ?? {} };
  return { ok: false, problems: result.error.issues.flatMap((issue) => describeIssue(issue, file)) };
}

/** Parses and validates the YAML text, with the line and column of every problem. */
export function parseRepoConfigText(text: string, file = configPath): RepoConfigResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error): ConfigProblem => {
      const at = offsetToLocation(lines, error.pos[0]);
      return { file, ...at, path: '', reason: error.message.split('\n')[0] ?? 'invalid YAML' };
    });
    return { ok: false, problems };
  }
  const value: unknown = doc.toJS() ?? {};
  const result = RepoConfig.safeParse(value);
  if (result.success) return { ok: true, config: result.data, value };
  // Each unknown key at its own line and column, even when zod reports a map's unknown keys together.
  const problems = result.error.issues.flatMap((issue): ConfigProblem[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          ...unknownKey(issue.path, key, file),
          ...locateKey(doc, lines, issue.path, key),
        }))
      : [
          {
            file,
            path: formatPath(issue.path),
            reason: issue.message,
            ...locatePath(doc, lines, issue.path),
          },
        ],
  );
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { ok: false, problems };
}

export function formatConfigProblem(p: ConfigProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.column ?? 1}`;
  return `${where}: ${p.path ? `${p.path}: ` : ''}${p.reason}`;
}

/** One problem per unknown key, so that each can carry its own location. */
function describeIssue(issue: z.core.$ZodIssue, file: string): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => unknownKey(issue.path, key, file));
  return [{ file, path: formatPath(issue.path), reason: issue.message }];
}

function unknownKey(path: readonly PropertyKey[], key: string, file: string): ConfigProblem {
  return {
    file,
    path: formatPath([...path, key]),
    reason: 'unknown field (see docs/github-app.md for the fields)',
  };
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}
