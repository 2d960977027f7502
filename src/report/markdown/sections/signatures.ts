import type { SignatureEntry } from '../../../compare/comparison.schema.js';
import { formatCount } from '../../../util/format.js';
import type { Report } from '../../report.schema.js';
import { capText } from '../cap-text.js';
import { details, escapeMarkdown, fence, inlineCode } from '../escape.js';

export interface SignatureBudget {
  /** Characters of evidence shown per signature; 0 shows none. */
  readonly evidenceLimit: number;
  /** Entries listed per bucket beyond the findings (findings are always listed). */
  readonly maxEntries: number;
}

const where = (e: SignatureEntry) => `${e.workload} (${e.variant}, ${e.side})`;
const counts = (e: SignatureEntry) =>
  `head ${formatCount(e.head.count)} of ${formatCount(e.head.iterations)}, base ${formatCount(e.base.count)} of ${formatCount(
    e.base.iterations,
  )}`;

function evidenceBlock(e: SignatureEntry, limit: number): string | null {
  if (limit <= 0 || e.evidence.trim() === '') return null;
  const { text, note } = capText(e.evidence, limit);
  const what = e.kind === 'hang' ? 'backtraces' : e.kind === 'sanitizer' ? 'sanitizer report' : 'stderr';
  const body = note ? `${fence(text)}\n\n_${escapeMarkdown(note)}_` : fence(text);
  return details(`Full ${what} (${e.process}, iteration ${e.firstIteration})`, body);
}

function entry(e: SignatureEntry, budget: SignatureBudget, withRepro: boolean): string {
  const icon = e.finding ? '❌ ' : '';
  const lines = [`${icon}**${inlineCode(e.signature)}** in ${escapeMarkdown(where(e))}: ${counts(e)}  `];
  lines.push(`${inlineCode(e.excerpt)}${e.note ? `  \n_${escapeMarkdown(e.note)}_` : ''}`);
  if (withRepro) lines[lines.length - 1] += `  \nReproduce: ${inlineCode(e.repro)}`;
  const block = evidenceBlock(e, budget.evidenceLimit);
  return block ? `${lines.join('\n')}\n\n${block}` : lines.join('\n');
}

function bucket(
  title: string,
  entries: readonly SignatureEntry[],
  budget: SignatureBudget,
  repro: boolean,
): string | null {
  if (entries.length === 0) return null;
  const always = entries.filter((e) => e.finding);
  const rest = entries.filter((e) => !e.finding);
  const shown = [...always, ...rest.slice(0, budget.maxEntries)];
  const hidden = entries.length - shown.length;
  const parts = [
    `#### ${title} (${formatCount(entries.length)})`,
    ...shown.map((e) => entry(e, budget, repro)),
  ];
  if (hidden > 0) parts.push(`_${formatCount(hidden)} more not shown: see report.json_`);
  return parts.join('\n\n');
}

/** Signature buckets: findings first, target side apart from the peer side's evidence. */
export function signaturesSection(r: Report, budget: SignatureBudget): string | null {
  const s = r.stability.signatures;
  const target = s.filter((e) => e.role === 'target');
  const peer = s.filter((e) => e.role === 'peer');
  const compact = { ...budget, evidenceLimit: 0 };
  const sections = [
    bucket(
      'New in head',
      target.filter((e) => e.bucket === 'new'),
      budget,
      true,
    ),
    bucket(
      'Fixed in head',
      target.filter((e) => e.bucket === 'fixed'),
      budget,
      false,
    ),
    bucket(
      'Persisting (in base and head, not blamed on head)',
      target.filter((e) => e.bucket === 'persisting'),
      compact,
      false,
    ),
    bucket('Peer side (evidence only, never the verdict)', peer, budget, true),
  ].filter((x): x is string => x !== null);
  return sections.length > 0 ? sections.join('\n\n') : null;
}
