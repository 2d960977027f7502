import type { CensusRow } from './census.schema.js';

/**
 * Each thread's name as a person reads it: `main`; the function it started in when a stack snapshot
 * named it (`iperf_client_worker_run`, `#2`… when several started in the same one), so base and head
 * align by what the threads run and a new thread does not shift the others; else its role
 * (`thread-3`, by creation order).
 */
export function threadNames(rows: readonly Pick<CensusRow, 'role' | 'start'>[]): string[] {
  const total = new Map<string, number>();
  for (const r of rows) if (r.start && r.role !== 'main') total.set(r.start, (total.get(r.start) ?? 0) + 1);
  const seen = new Map<string, number>();
  return rows.map((r) => {
    if (r.role === 'main' || !r.start) return r.role;
    const n = (seen.get(r.start) ?? 0) + 1;
    seen.set(r.start, n);
    return (total.get(r.start) ?? 1) > 1 ? `${r.start} #${n}` : r.start;
  });
}

/** Role → name over one census's rows. */
export function namesByRole(rows: readonly Pick<CensusRow, 'role' | 'start'>[]): Map<string, string> {
  const names = threadNames(rows);
  return new Map(rows.map((r, i) => [r.role, names[i] ?? r.role]));
}
