import type { NotRun } from './report.schema.js';

/** Entries that did not run for the same reason, in the order the first of each came. */
export interface NotRunGroup {
  readonly why: string;
  readonly what: readonly string[];
}

/** Groups what did not run by its reason, so that 21 cells stopped for one reason take one line. */
export function groupNotRun(entries: readonly NotRun[]): NotRunGroup[] {
  const groups = new Map<string, string[]>();
  for (const n of entries) groups.set(n.why, [...(groups.get(n.why) ?? []), n.what]);
  return [...groups].map(([why, what]) => ({ why, what }));
}
