import { basename } from 'node:path';
import { listCommits } from '../../source/list-commits.js';
import type { TreeRequest } from '../request/contract.js';
import type { BisectSeries } from './contract.js';

/** One point of the series: 0 is the good point, n the bad one. */
export interface Candidate {
  readonly index: number;
  readonly name: string;
  readonly tree: TreeRequest;
}

/** The candidates 0 … n of a series, and how to try candidate i's own change alone (patches only). */
export async function candidatesOf(
  series: BisectSeries,
  options: { signal?: AbortSignal | undefined; onProgress?: (message: string) => void } = {},
): Promise<{ candidates: Candidate[]; alone?: (index: number) => Candidate }> {
  if (series.kind === 'patches') {
    const good = series.good;
    const base = good.patches ?? [];
    const candidates = [0, ...series.patches.map((_, i) => i + 1)].map((index) => ({
      index,
      name: index === 0 ? 'good point' : basename(series.patches[index - 1] ?? ''),
      tree: { ...good, patches: [...base, ...series.patches.slice(0, index)] },
    }));
    const alone = (index: number): Candidate => ({
      index,
      name: `${basename(series.patches[index - 1] ?? '')} alone`,
      tree: { ...good, patches: [...base, series.patches[index - 1] ?? ''] },
    });
    return { candidates, alone };
  }
  const { good, commits } = await listCommits(series.repo, series.good, series.bad, options);
  const patches = [...(series.patches ?? [])];
  const at = (ref: string) => ({ repo: series.repo, ref, patches });
  return {
    candidates: [
      { index: 0, name: `${good.slice(0, 12)} (good)`, tree: at(good) },
      ...commits.map((c, i) => ({
        index: i + 1,
        name: `${c.commit.slice(0, 12)} ${c.subject}`,
        tree: at(c.commit),
      })),
    ],
  };
}
