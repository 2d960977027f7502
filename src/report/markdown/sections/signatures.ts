import type { CauseEntry, SignatureEntry } from '../../../compare/comparison.schema.js';
import { formatCount } from '../../../util/format.js';
import type { Report } from '../../report.schema.js';
import { reproFiles } from '../../repro-files.js';
import { capText } from '../cap-text.js';
import { details, escapeMarkdown, fence, inlineCode } from '../escape.js';

export interface SignatureBudget {
  /** Characters of evidence shown per signature; 0 shows none. */
  readonly evidenceLimit: number;
  /** Causes listed per bucket beyond the findings (findings are always listed). */
  readonly maxEntries: number;
}

const where = (e: CauseEntry) => `${e.workload} (${e.variant}, ${e.side})`;
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

/** One signature under its cause: counts, excerpt, note, repro of new ones and the evidence folded. */
function entry(
  e: SignatureEntry,
  budget: SignatureBudget,
  withRepro: boolean,
  script: string | null,
): string {
  const lines = [`- ${inlineCode(e.signature)}: ${counts(e)}  `];
  lines.push(`  ${inlineCode(e.excerpt)}`);
  if (withRepro) lines[lines.length - 1] += `  \n  Reproduce: ${inlineCode(e.repro)}`;
  // The bundle's script for it (validate --repro-dir): base and head built and rerun with plain commands.
  if (withRepro && script)
    lines[lines.length - 1] +=
      `  \n  Without sigstorm: ${inlineCode(`bash ${script} TREE 10`)} ([${script}](${script}) in the repro bundle: builds base and head from a checkout TREE and reruns the iteration 10 times on each)`;
  const block = evidenceBlock(e, budget.evidenceLimit);
  return block ? `${lines.join('\n')}\n\n${block}` : lines.join('\n');
}

/** The signatures of one cause, as bucketSignatures listed them. */
function signaturesOf(r: Report, c: CauseEntry): SignatureEntry[] {
  const names = new Set(c.signatures.map((s) => s.signature));
  return r.stability.signatures.filter(
    (e) =>
      e.workload === c.workload &&
      e.variant === c.variant &&
      e.side === c.side &&
      e.role === c.role &&
      e.process === c.process &&
      names.has(e.signature),
  );
}

function causeBlock(r: Report, c: CauseEntry, budget: SignatureBudget, withRepro: boolean): string {
  const scripts = reproFiles(r).filter((f) => f.cause === c);
  const scriptOf = (e: SignatureEntry) =>
    scripts.find((f) => f.entry.signature === e.signature)?.script ?? null;
  const icon = c.finding ? '❌ ' : '';
  const other = c.bucket === 'fixed' ? 'head' : 'base';
  const o = c.iterations[other];
  const head = `${icon}**${escapeMarkdown(where(c))}**: ${escapeMarkdown(c.headline)} (${other} ${formatCount(o.failing)} of ${formatCount(o.judged)})`;
  const note = c.note ? `  \n_${escapeMarkdown(c.note)}_` : '';
  const list = signaturesOf(r, c).map((e) => entry(e, budget, withRepro, scriptOf(e)));
  return [`${head}${note}${placed(c)}`, ...list, ...rerunBlock(c, budget)].join('\n\n');
}

/** Where the cause is in the tree, and whether an ASan rerun said so. */
function placed(c: CauseEntry): string {
  const at = c.location
    ? `  \nAt ${inlineCode(`${c.location.path}:${c.location.line}`)} in ${inlineCode(c.location.function)}`
    : '';
  const rerun = c.rerun;
  if (!rerun) return at;
  const tried = `${formatCount(rerun.attempts)} ${rerun.variant} rerun${rerun.attempts === 1 ? '' : 's'} of iteration ${[...new Set(rerun.iterations)].join(', ')} (seed ${rerun.seed}, ${(rerun.elapsedMs / 1000).toFixed(1)} s)`;
  return rerun.iteration === null
    ? `${at}  \n_No stack: ${escapeMarkdown(tried)} gave none in the tree._`
    : `${at}, from the evidence pass: ${escapeMarkdown(tried)}, ${formatCount(rerun.hits)} with a stack`;
}

/** The report the evidence pass got, folded, and how to rerun it. */
function rerunBlock(c: CauseEntry, budget: SignatureBudget): string[] {
  const rerun = c.rerun;
  if (!rerun || rerun.iteration === null) return [];
  const lines = [
    `- ${inlineCode(rerun.signature ?? rerun.variant)}: the ${rerun.variant} build, rerun of iteration ${rerun.iteration}  `,
  ];
  if (rerun.repro) lines.push(`  Reproduce: ${inlineCode(rerun.repro)}`);
  if (budget.evidenceLimit <= 0) return [lines.join('\n')];
  const { text, note } = capText(rerun.evidence, budget.evidenceLimit);
  const body = note ? `${fence(text)}\n\n_${escapeMarkdown(note)}_` : fence(text);
  return [
    lines.join('\n'),
    details(
      `Sanitizer report of the ${rerun.variant} rerun (${c.process}, iteration ${rerun.iteration})`,
      body,
    ),
  ];
}

function bucket(
  r: Report,
  title: string,
  causes: readonly CauseEntry[],
  budget: SignatureBudget,
  repro: boolean,
): string | null {
  if (causes.length === 0) return null;
  const always = causes.filter((c) => c.finding);
  const rest = causes.filter((c) => !c.finding);
  const shown = [...always, ...rest.slice(0, budget.maxEntries)];
  const hidden = causes.length - shown.length;
  const signatures = causes.reduce((a, c) => a + c.signatures.length, 0);
  const count =
    signatures === causes.length
      ? formatCount(causes.length)
      : `${formatCount(causes.length)}; ${formatCount(signatures)} signatures`;
  const parts = [`#### ${title} (${count})`, ...shown.map((c) => causeBlock(r, c, budget, repro))];
  if (hidden > 0) parts.push(`_${formatCount(hidden)} more not shown: see report.json_`);
  return parts.join('\n\n');
}

/** One finding per cause, findings first, its signatures under it; the peer side's evidence apart. */
export function signaturesSection(r: Report, budget: SignatureBudget): string | null {
  const s = r.stability.causes;
  const target = s.filter((e) => e.role === 'target');
  const peer = s.filter((e) => e.role === 'peer');
  const compact = { ...budget, evidenceLimit: 0 };
  const sections = [
    bucket(
      r,
      'New in head',
      target.filter((e) => e.bucket === 'new'),
      budget,
      true,
    ),
    bucket(
      r,
      'Fixed in head',
      target.filter((e) => e.bucket === 'fixed'),
      budget,
      false,
    ),
    bucket(
      r,
      'Persisting (in base and head, not blamed on head)',
      target.filter((e) => e.bucket === 'persisting'),
      compact,
      false,
    ),
    bucket(r, 'Peer side (evidence only, never the verdict)', peer, budget, true),
  ].filter((x): x is string => x !== null);
  return sections.length > 0 ? sections.join('\n\n') : null;
}
