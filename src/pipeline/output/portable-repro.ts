import { basename, isAbsolute, relative } from 'node:path';
import type { SideObservation } from '../../compare/input.js';
import type { PublicSource } from '../../source/public-source.js';
import { parseCpuList } from '../../storm/cpus.js';
import type { IterationRecord } from '../../storm/record.js';
import { portableReproCommand } from '../../storm/repro.js';
import { cacheRoot } from '../../util/paths.js';
import type { CellRun } from '../schedule/cell-run.js';

/**
 * A side's signatures with repro commands anybody can run (`sigstorm repro` with the tree's URL and
 * commit), in place of the storm's own, which names a binary in this machine's cache; their
 * evidence without this machine's cache paths.
 */
export function withPortableRepro(
  side: SideObservation,
  run: CellRun,
  records: readonly IterationRecord[],
  source: PublicSource,
): SideObservation {
  const byIteration = new Map(records.map((r) => [r.iteration, r]));
  return {
    ...side,
    signatures: side.signatures.map((s) => {
      const record = byIteration.get(s.firstIteration);
      const texts = { excerpt: withoutLocalPaths(s.excerpt), evidence: withoutLocalPaths(s.evidence) };
      if (!record) return { ...s, ...texts };
      return {
        ...s,
        ...texts,
        repro: portableReproCommand({
          source,
          variant: run.plan.variant,
          workloadRef: workloadShown(run.plan.workloadRef),
          seed: record.seed,
          iteration: record.iteration,
          cpuCount: parseCpuList(record.cpus).length,
        }),
      };
    }),
  };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Evidence without this machine's paths: a sanitizer names a frame without debug info by its module
 * (`_start (/home/me/.cache/sigstorm/builds/asan-…/tree/src/iperf3+0x23670)`): the build's tree
 * becomes the tree (`src/iperf3+0x23670`), the rest of the cache `<cache>`.
 */
export function withoutLocalPaths(text: string, cache: string = cacheRoot()): string {
  return text
    .replace(new RegExp(`${escapeRegExp(cache)}/builds/[^/\\s]+/tree/`, 'g'), '')
    .replaceAll(cache, '<cache>');
}

/**
 * An iteration record as a repro bundle holds it: every string without this machine's cache paths
 * (the binary, the storm's own repro line, evidence), and the portable repro line in place of the
 * storm's, which named a binary in the cache.
 */
export function portableRecord(
  record: IterationRecord,
  repro: string,
  cache: string = cacheRoot(),
): IterationRecord {
  const strip = (value: unknown): unknown => {
    if (typeof value === 'string') return withoutLocalPaths(value, cache);
    if (Array.isArray(value)) return value.map(strip);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, strip(v)]));
    }
    return value;
  };
  return { ...(strip(record) as IterationRecord), repro };
}

/** A workload file by its path relative to the current directory (or its name), never an absolute path. */
export function workloadShown(ref: string, cwd: string = process.cwd()): string {
  if (!isAbsolute(ref)) return ref;
  const inside = relative(cwd, ref);
  return inside.startsWith('..') ? basename(ref) : inside;
}
