import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

export interface SourceLocation {
  readonly line: number;
  readonly column: number;
}

type Segment = PropertyKey;

/**
 * Where a zod issue path points inside a parsed YAML document. Walks the node tree as far as the
 * path exists: a missing key points at the map that should hold it, an unknown key at the key itself.
 */
export function locatePath(doc: Document, lines: LineCounter, path: readonly Segment[]): SourceLocation {
  let node: unknown = doc.contents;
  let at: Node | null = isNode(node) ? node : null;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === segment);
      if (!pair) break;
      // Point at the value when there is one, else at the key (`key:` with nothing after it).
      at = isNode(pair.value) ? pair.value : isNode(pair.key) ? pair.key : at;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!isNode(item)) break;
      at = item;
      node = item;
    } else {
      break;
    }
  }
  return offsetToLocation(lines, at?.range?.[0] ?? 0);
}

/** The location of the key `key` of the map at `path` (for unknown keys). */
export function locateKey(
  doc: Document,
  lines: LineCounter,
  path: readonly Segment[],
  key: string,
): SourceLocation {
  const map = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
  if (isMap(map)) {
    const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
    if (pair && isNode(pair.key) && pair.key.range) return offsetToLocation(lines, pair.key.range[0]);
  }
  return locatePath(doc, lines, path);
}

export function offsetToLocation(lines: LineCounter, offset: number): SourceLocation {
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}
