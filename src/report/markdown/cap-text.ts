import { formatCount } from '../../util/format.js';

/**
 * Cuts a long text at a line boundary to at most `limit` characters and says what was cut.
 * `limit` 0 drops the text entirely.
 */
export function capText(text: string, limit: number): { text: string; cut: boolean; note: string | null } {
  if (text.length <= limit) return { text, cut: false, note: null };
  const head = text.slice(0, limit);
  const lastBreak = head.lastIndexOf('\n');
  const kept = lastBreak > limit / 2 ? head.slice(0, lastBreak) : head;
  const cutLines = text
    .slice(kept.length)
    .split('\n')
    .filter((l) => l.trim() !== '').length;
  const note = `${formatCount(text.length - kept.length)} more characters (${formatCount(cutLines)} lines) not shown: the full text is in report.json`;
  return { text: kept, cut: true, note };
}
