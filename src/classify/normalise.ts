/** How many lines of stderr an outcome keeps as `stderrHead`, and how long each may be. */
export const stderrHeadLines = 20;
const maxLineLength = 400;

export function splitLines(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split('\n');
}

function clip(line: string): string {
  return line.length > maxLineLength ? `${line.slice(0, maxLineLength)}…` : line;
}

/**
 * The first non-empty lines of stderr, trimmed, for reports. `mustShow` lines (a fatal marker found
 * further down) are appended when the head would otherwise hide them.
 */
export function stderrHead(stderr: string, mustShow: readonly string[] = []): string[] {
  const lines = splitLines(stderr)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '');
  const head = lines.slice(0, stderrHeadLines).map(clip);
  const missing = mustShow.map(clip).filter((line) => !head.includes(line));
  if (missing.length > 0 && lines.length > stderrHeadLines) head.push('…', ...missing);
  return head;
}

/**
 * One line of output with everything that changes from run to run replaced: addresses, numbers
 * (PIDs, ports, thread ids, sizes), absolute paths (temp dirs) reduced to their basename.
 */
export function normaliseLine(line: string): string {
  return line
    .replace(/(^|[\s('"=])\/(?:[\w.@+-]+\/)+([\w.@+-]+)/g, '$1$2')
    .replace(/\b0x[0-9a-fA-F]+/g, 'ADDR')
    .replace(/\d+/g, 'N')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);
}

/** Caps a stored report so that one pathological process cannot bloat a results file. */
export function capText(text: string, maxChars = 64 * 1024): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n[sigstorm: report truncated, ${text.length - maxChars} more characters]`;
}
