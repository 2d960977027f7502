import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installRoot } from '../src/util/paths.js';

/**
 * The house follows its data flow: a folder of src/ imports only from itself and from folders
 * below it, and no file imports itself back through others. Folders on one line are siblings:
 * neither imports the other. The order is the one the imports follow today; a new folder has to
 * be placed here.
 */
const layers: readonly (readonly string[])[] = [
  ['cli'],
  ['publish'],
  ['pipeline'],
  ['report'],
  ['compare', 'throughput'],
  ['storm', 'config'],
  ['classify'],
  ['compile'],
  ['sandbox', 'workload', 'source'],
  ['util'],
];

const srcDir = join(installRoot, 'src');

type Graph = ReadonlyMap<string, readonly string[]>;

/** Every relative import (static, re-export, side effect, dynamic) of every .ts file under `dir`, as paths relative to `dir`. */
async function importGraph(dir: string): Promise<Graph> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
  const graph = new Map<string, string[]>();
  const specifier = /(?:\bfrom\s*|\bimport\s*\(?\s*)'(\.{1,2}\/[^']+)'/g;
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const targets = [...text.matchAll(specifier)].map((m) =>
      relative(dir, resolve(dirname(file), (m[1] ?? '').replace(/\.js$/, '.ts'))),
    );
    graph.set(relative(dir, file), [...new Set(targets)]);
  }
  return graph;
}

/** The imports against the flow, each as `from → to (why)`. */
function upwardImports(graph: Graph, order: readonly (readonly string[])[]): string[] {
  const rank = new Map(order.flatMap((rooms, i) => rooms.map((room) => [room, i] as const)));
  const roomOf = (file: string) => (file.includes('/') ? (file.split('/')[0] ?? '') : '(src)');
  const offences: string[] = [];
  for (const [from, targets] of graph) {
    const a = roomOf(from);
    for (const to of targets) {
      const b = roomOf(to);
      if (a === b) continue;
      const ra = rank.get(a);
      const rb = rank.get(b);
      if (ra === undefined || rb === undefined) {
        offences.push(`${from} → ${to} (${ra === undefined ? a : b}/ has no place in the layers)`);
      } else if (rb <= ra) {
        offences.push(
          `${from} → ${to} (${a}/ may not import ${b}/: ${rb < ra ? 'it is above' : 'a sibling'})`,
        );
      }
    }
  }
  return offences;
}

/** One import cycle per strongly connected group of files, as `a → b → … → a`. */
function importCycles(graph: Graph): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' → '));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

describe('the layout of the house', () => {
  it('every folder of src/ has its place in the layers, and no import goes up against the flow', async () => {
    const graph = await importGraph(srcDir);
    expect(graph.size).toBeGreaterThan(200);
    const rooms = new Set([...graph.keys()].map((file) => file.split('/')[0]));
    expect([...rooms].filter((room) => !layers.flat().includes(room ?? '')).sort()).toEqual([]);
    expect(upwardImports(graph, layers)).toEqual([]);
  });

  it('no import cycle anywhere in src/ (type imports included)', async () => {
    expect(importCycles(await importGraph(srcDir))).toEqual([]);
  });

  it('the checks name the offending edge: storm importing pipeline, a sibling, a cycle', () => {
    const graph = new Map([
      ['storm/run.ts', ['pipeline/plan.ts', 'classify/outcome.ts']],
      ['pipeline/plan.ts', ['storm/run.ts']],
      ['classify/outcome.ts', []],
      ['config/a.ts', ['storm/run.ts']],
    ]);
    expect(upwardImports(graph, layers)).toEqual([
      'storm/run.ts → pipeline/plan.ts (storm/ may not import pipeline/: it is above)',
      'config/a.ts → storm/run.ts (config/ may not import storm/: a sibling)',
    ]);
    expect(importCycles(graph)).toEqual(['storm/run.ts → pipeline/plan.ts → storm/run.ts']);
  });
});
