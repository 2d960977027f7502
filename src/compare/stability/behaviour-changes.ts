import { formatCount } from '../../util/format.js';
import type { BehaviourChange } from '../comparison.schema.js';
import type { CellInput } from '../input.js';

type Histogram = Readonly<Record<string, number>>;

function describe(h: Histogram): string {
  const parts = Object.entries(h)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0]))
    .map(([code, n]) => `exit ${code} ×${formatCount(n)}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function changed(base: Histogram, head: Histogram): boolean {
  const has = (h: Histogram, code: string) => (h[code] ?? 0) > 0;
  const total = (h: Histogram) => Object.values(h).reduce((a, b) => a + b, 0);
  if (total(base) === 0 || total(head) === 0) return false;
  const codes = new Set([...Object.keys(base), ...Object.keys(head)]);
  return [...codes].some((code) => has(base, code) !== has(head, code));
}

/**
 * Clean exits whose exit codes differ between base and head (e.g. 0 where base exited 1 after a
 * SIGTERM): a change of behaviour users may script against, reported but never a failure.
 */
export function behaviourChanges(cells: readonly CellInput[]): BehaviourChange[] {
  const changes: BehaviourChange[] = [];
  for (const cell of cells) {
    const pairs = [
      ['target', cell.base.cleanExitCodes, cell.head.cleanExitCodes],
      ['peer', cell.base.peerCleanExitCodes ?? {}, cell.head.peerCleanExitCodes ?? {}],
    ] as const;
    for (const [role, base, head] of pairs) {
      if (!changed(base, head)) continue;
      const process = role === 'target' ? cell.side : cell.side === 'server' ? 'client' : 'server';
      changes.push({
        workload: cell.workload,
        variant: cell.variant,
        side: cell.side,
        role,
        base: { ...base },
        head: { ...head },
        description: `clean exits of the ${process}: base ${describe(base)}; head ${describe(head)}`,
      });
    }
  }
  return changes;
}
