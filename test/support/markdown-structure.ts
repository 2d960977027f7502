/**
 * Structural checks of GitHub-flavoured Markdown, independent of snapshots: fences closed,
 * <details> balanced outside code, table rows as wide as their header.
 */
export interface Structure {
  readonly unclosedFence: boolean;
  readonly detailsBalanced: boolean;
  readonly fences: number;
  readonly details: number;
  /** Table rows whose cell count differs from their header's. */
  readonly raggedRows: string[];
}

const cellCount = (line: string) => line.replace(/\\\|/g, '').split('|').length - 2;

export function structure(markdown: string): Structure {
  let open: string | null = null;
  let depth = 0;
  let balanced = true;
  let fences = 0;
  let details = 0;
  let header: number | null = null;
  const ragged: string[] = [];
  for (const line of markdown.split('\n')) {
    if (open !== null) {
      if (new RegExp(`^${open}\`*\\s*$`).test(line)) open = null;
      continue;
    }
    const fence = /^(`{3,})/.exec(line);
    if (fence) {
      open = fence[1] ?? '```';
      fences++;
      continue;
    }
    for (const tag of line.match(/<\/?details>/g) ?? []) {
      depth += tag === '<details>' ? 1 : -1;
      if (tag === '<details>') details++;
      if (depth < 0) balanced = false;
    }
    if (line.startsWith('|')) {
      if (header === null) header = cellCount(line);
      else if (cellCount(line) !== header) ragged.push(line);
    } else header = null;
  }
  return {
    unclosedFence: open !== null,
    detailsBalanced: balanced && depth === 0,
    fences,
    details,
    raggedRows: ragged,
  };
}
