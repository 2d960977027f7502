import { splitSentence } from '../../../compare/threads/split-by-thread.js';
import type { FindingStatus, MaskTable } from '../../../compare/threads/threads.schema.js';
import { watchedSignals } from '../../../storm/threads/signal-takers.js';
import { threadNames } from '../../../storm/threads/thread-names.js';
import type { Report } from '../../report.schema.js';
import { escapeMarkdown, table } from '../escape.js';
import { cellLabel } from './labels.js';

/** One process's threads on both sides: how each takes the watched signals (docs/threads.md). */
function maskTable(t: MaskTable): string {
  // Rows align by name (the start routine when known): a thread new in head is one new row.
  const named = (rows: MaskTable['base']) => {
    const names = threadNames(rows);
    return new Map(rows.map((r, i) => [names[i] ?? r.role, r]));
  };
  const base = named(t.base);
  const head = named(t.head);
  const roles = [...new Set([...base.keys(), ...head.keys()])];
  const takes = (rows: Map<string, MaskTable['base'][number]>, name: string) => {
    const row = rows.get(name);
    return row ? watchedSignals.map((s) => row.takes[s] ?? '–').join(' · ') : 'absent';
  };
  return [
    `**${t.process}** (census of ${escapeMarkdown(t.workload)} · ${t.variant}; ${watchedSignals.join(' · ')})`,
    '',
    table(
      ['thread', 'base', 'head'],
      roles.map((name) => [escapeMarkdown(name), takes(base, name), takes(head, name)]),
    ),
  ].join('\n');
}

const findingLabel: Readonly<Record<FindingStatus, string>> = {
  shown: '❌ shown',
  harmless: '✅ harmless',
  open: '⚠️ not settled',
};

/** The mask changes, the mask table per process, and outcomes by receiving thread per cell. */
export function threadsSection(r: Report): string | null {
  const threads = r.stability.threads;
  const splits = r.stability.cells.flatMap((c) => {
    const b = c.byReceivingThread;
    const head = b && splitSentence(b.head);
    const base = b && splitSentence(b.base);
    if (!head && !base) return [];
    return [`- **${escapeMarkdown(cellLabel(c))}**: head ${head ?? 'no split'}; base ${base ?? 'no split'}`];
  });
  if (!threads || (threads.tables.length === 0 && splits.length === 0 && threads.tracing === null))
    return null;
  const changes = threads.changes.map((c) => {
    const label =
      c.kind === 'handler-threads'
        ? c.direction === 'more'
          ? c.finding
            ? '❌ regression'
            : 'more threads'
          : '✅ improvement'
        : c.weight === 'risk'
          ? '⚠️ risk'
          : 'note';
    const why = c.kind === 'handler-threads' ? `: ${c.why}` : '';
    return `- ${label} (${c.process}): ${escapeMarkdown(`${c.sentence}${why}`)}`;
  });
  const findings = threads.findings.map(
    (f) =>
      `- ${findingLabel[f.status]} (${f.process}): **${escapeMarkdown(f.title)}**: ${escapeMarkdown(f.because)}`,
  );
  return [
    '#### Threads and signal masks',
    '',
    ...(findings.length > 0
      ? ['Census findings, each settled before a neutral verdict:', '', ...findings, '']
      : []),
    ...(changes.length > 0 ? changes : ['- base and head have the same signal masks and dispositions']),
    '',
    ...threads.tables.flatMap((t) => [maskTable(t), '']),
    ...(splits.length > 0 ? ['Outcomes by the thread that took the signals:', '', ...splits, ''] : []),
    ...(threads.tracing ? [`_Signals were not traced: ${escapeMarkdown(threads.tracing)}._`] : []),
  ]
    .join('\n')
    .trimEnd();
}
