/**
 * The lines of a comment that can hold a command: Markdown paragraphs. Lines inside fenced code
 * blocks (``` or ~~~), indented code (four spaces or a tab), block quotes (`>`) and HTML comments are
 * text someone shows or quotes, never a command: quoting `/sigstorm run` approves nothing.
 */
export function commandLines(body: string): string[] {
  const lines: string[] = [];
  let fence: { char: string; length: number } | undefined;
  let inComment = false;
  for (const line of body.split(/\r?\n/)) {
    if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close?.[1] && close[1][0] === fence.char && close[1].length >= fence.length) fence = undefined;
      continue;
    }
    if (inComment) {
      if (line.includes('-->')) inComment = false;
      continue;
    }
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (open?.[1]) {
      fence = { char: open[1][0] ?? '`', length: open[1].length };
      continue;
    }
    if (/^ {0,3}<!--/.test(line)) {
      if (!line.includes('-->')) inComment = true;
      continue;
    }
    if (/^( {4}|\t)/.test(line) || /^ {0,3}>/.test(line)) continue;
    lines.push(line);
  }
  return lines;
}
