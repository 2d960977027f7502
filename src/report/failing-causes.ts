import type { CauseEntry } from '../compare/comparison.schema.js';
import type { Report } from './report.schema.js';

/** The causes a failing validation is about: blamed findings, and new causes in cells that regressed (a hang, say). */
export function failingCauses(report: Report): CauseEntry[] {
  const regressed = (c: CauseEntry) =>
    report.stability.cells.some(
      (cell) =>
        cell.workload === c.workload &&
        cell.variant === c.variant &&
        cell.side === c.side &&
        cell.verdict === 'regression',
    );
  return report.stability.causes.filter(
    (c) => c.role === 'target' && (c.finding || (c.bucket === 'new' && regressed(c))),
  );
}
