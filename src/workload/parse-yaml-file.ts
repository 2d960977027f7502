import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../util/errors.js';
import { locateKey, locatePath, offsetToLocation, type SourceLocation } from './yaml-location.js';

/** One thing wrong with a user's YAML file, located for a person to fix. */
export interface FileProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The field, e.g. `signal.pattern[1].signal`; empty for the whole document. */
  readonly path: string;
  readonly reason: string;
}

/** A YAML file that does not parse or does not match its schema; lists every problem found. */
export class FileSchemaError extends UsageError {
  readonly problems: readonly FileProblem[];

  constructor(what: string, problems: readonly FileProblem[], hint: string) {
    const first = problems[0];
    const head = first ? `${formatProblem(first)}` : 'unknown problem';
    super(`Invalid ${what}: ${head}`, {
      hint,
      details: problems.length > 1 ? problems.map(formatProblem).join('\n') : undefined,
    });
    this.problems = problems;
  }
}

export function formatProblem(p: FileProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.reason}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

/**
 * Parses YAML text and validates it with a zod schema. Syntax errors and schema issues become one
 * FileSchemaError whose problems carry the line and column of the offending node.
 */
export function parseYamlFile<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  what: string,
  hint: string,
): { value: z.output<S>; locate: (path: readonly PropertyKey[]) => SourceLocation } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => {
      const at = offsetToLocation(lines, error.pos[0]);
      return { file, line: at.line, column: at.column, path: '', reason: error.message.split('\n')[0] ?? '' };
    });
    throw new FileSchemaError(what, problems, hint);
  }
  const data: unknown = doc.toJS();
  const result = schema.safeParse(data);
  if (!result.success) {
    // Each unknown key at its own line and column, even when zod reports a map's unknown keys together.
    const problems = result.error.issues.flatMap((issue): FileProblem[] => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({
          file,
          ...locateKey(doc, lines, issue.path, key),
          path: formatPath([...issue.path, key]),
          reason: `unknown field ${key} (check the spelling against docs/workloads.md)`,
        }));
      }
      const at = locatePath(doc, lines, issue.path);
      const key = issue.path[issue.path.length - 1];
      const missing = issue.path.length > 0 && valueAt(data, issue.path) === undefined;
      const reason = missing ? `missing required field ${String(key)} (${issue.message})` : issue.message;
      return [{ file, ...at, path: formatPath(issue.path), reason }];
    });
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new FileSchemaError(what, problems, hint);
  }
  return { value: result.data, locate: (path) => locatePath(doc, lines, path) };
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}
