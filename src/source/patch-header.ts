import { readFile } from 'node:fs/promises';
import { UsageError } from '../util/errors.js';
// The verdicts a header may expect: the same words `sigstorm validate` reports.
import { Verdict } from './verdict.js';

/**
 * The free-text header a patch file may carry before its first `diff --git` (git apply ignores it).
 * sigstorm reads these fields from it; everything else in the header is description for people.
 */
export interface PatchHeader {
  readonly subject?: string;
  /** The bug class the patch introduces or fixes, e.g. `unblocked-worker-signals`. */
  readonly bugClass?: string;
  /** The verdict sigstorm should reach for stability. */
  readonly expectedStability?: Verdict;
  readonly expectedThroughput?: Verdict;
  /** Patch files (names) that must be applied before this one, in order. */
  readonly appliesAfter: readonly string[];
  /** 1-based line of each field, for error messages that point into the file. */
  readonly lines: Readonly<Record<string, number>>;
}

const fieldKeys = {
  subject: 'subject',
  'bug-class': 'bugClass',
  'expected-stability': 'expectedStability',
  'expected-throughput': 'expectedThroughput',
  'applies-after': 'appliesAfter',
} as const;
type FieldKey = keyof typeof fieldKeys;

/**
 * Parses `Key: value` fields (RFC 822 style, continuation lines indented) before the first diff.
 * An `Expected-*` value that is not a verdict is a UsageError pointing at `source:line`.
 */
export function parsePatchHeader(text: string, source = 'patch header'): PatchHeader {
  const values = new Map<FieldKey, string>();
  const lines: Record<string, number> = {};
  let current: FieldKey | undefined;
  const all = text.split(/\r?\n/);
  for (const [index, line] of all.entries()) {
    if (/^(diff --git |--- |Index: )/.test(line)) break;
    const field = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    const key = field?.[1]?.toLowerCase();
    if (field && key !== undefined && key in fieldKeys) {
      current = key as FieldKey;
      values.set(current, (field[2] ?? '').trim());
      lines[fieldKeys[current]] = index + 1;
    } else if (current && /^[ \t]+\S/.test(line)) {
      values.set(current, `${values.get(current) ?? ''} ${line.trim()}`.trim());
    } else {
      current = undefined;
    }
  }
  const appliesAfter = (values.get('applies-after') ?? '')
    .split(/[\s,]+/)
    .filter((name) => name !== '' && name.toLowerCase() !== 'none');
  return {
    ...pick('subject', values.get('subject')),
    ...pick('bugClass', values.get('bug-class')),
    ...verdict('expectedStability', values.get('expected-stability'), `${source}:${lines.expectedStability}`),
    ...verdict(
      'expectedThroughput',
      values.get('expected-throughput'),
      `${source}:${lines.expectedThroughput}`,
    ),
    appliesAfter,
    lines,
  };
}

function pick<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined || value === '' ? {} : { [key]: value }) as { [P in K]?: string };
}

function verdict<K extends string>(key: K, value: string | undefined, where: string): { [P in K]?: Verdict } {
  if (value === undefined || value === '') return {};
  const parsed = Verdict.safeParse(value.toLowerCase());
  if (!parsed.success) {
    throw new UsageError(`${where}: "${value}" is not a verdict`, {
      hint: `Write one of: ${Verdict.options.join(', ')}.`,
    });
  }
  return { [key]: parsed.data } as { [P in K]?: Verdict };
}

export async function readPatchHeader(path: string): Promise<PatchHeader> {
  return parsePatchHeader(await readFile(path, 'utf8'), path);
}
