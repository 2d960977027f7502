// Endurance: every workload of a set, N iterations each, against one build; prints the outcomes per
// workload. It is how the claim "the unpatched subject survives N iterations of every default workload"
// is checked (docs/storms.md), and it works on any binary, e.g. a fork's build or /usr/bin/iperf3.
// Run: npx tsx bench/endurance.ts [--variant plain] [--iterations 500] [--set default] [--patches a,b]
//      [--binary PATH] [--out DIR]
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { outcomeKinds } from '../src/classify/outcome.js';
import { build } from '../src/compile/build-tree.js';
import { VariantName } from '../src/compile/variants.js';
import { createLanePool } from '../src/storm/lanes.js';
import { freshSeed } from '../src/storm/prng.js';
import { runStorm } from '../src/storm/run-storm.js';
import { bundledPatchesDir, cacheRoot } from '../src/util/paths.js';
import { loadWorkloadSet, resolveStormWorkload } from '../src/workload/load.js';
import { conditionsNow, describeMachine, formatLoad, formatMachine } from './machine.js';

const { values } = parseArgs({
  options: {
    variant: { type: 'string', default: 'plain' },
    iterations: { type: 'string', default: '500' },
    set: { type: 'string', default: 'default' },
    patches: { type: 'string' },
    binary: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
  },
});
const variant = VariantName.parse(values.variant);
const iterations = Math.min(Math.max(1, Number.parseInt(values.iterations, 10)), 5000);
const patches = (values.patches ?? '')
  .split(',')
  .filter(Boolean)
  .map((p) => (p.includes('/') ? resolve(p) : join(bundledPatchesDir, p)));
const binary =
  values.binary ?? (await build({ patches }, [variant], { cacheRoot: cacheRoot() })).variants[variant].binary;
const seed = values.seed ? Number.parseInt(values.seed, 10) : freshSeed();
const out = resolve(
  values.out ?? join(cacheRoot(), 'endurance', new Date().toISOString().replace(/[:.]/g, '-')),
);
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
const pool = await createLanePool();
const start = conditionsNow();
const began = performance.now();
const rows: string[] = [];
for (const name of await loadWorkloadSet(values.set)) {
  if (controller.signal.aborted) break;
  const { workload } = await resolveStormWorkload(name);
  process.stderr.write(`endurance: ${name} × ${iterations} (${variant})…\n`);
  const summary = await runStorm({
    pool,
    binary,
    variant,
    workload,
    seed,
    iterations: Array.from({ length: iterations }, (_, i) => i),
    resultsFile: join(out, `${name}.${variant}.jsonl`),
    signal: controller.signal,
  });
  const counts = outcomeKinds.map((k) => `${k} ${summary.outcomes[k]}`).join(', ');
  const signatures = summary.signatures
    .filter((s) => s.role === 'target')
    .map((s) => `${s.signature} ×${s.count}`)
    .join('; ');
  rows.push(
    `${name.padEnd(28)} ${summary.iterationsDone}/${iterations}  ${counts}${signatures ? `  [${signatures}]` : ''}`,
  );
  process.stdout.write(`${rows.at(-1)}\n`);
}
const minutes = ((performance.now() - began) / 60_000).toFixed(1);
process.stdout.write(
  `\nendurance: ${binary} (${variant}${patches.length ? ` + ${patches.map((p) => p.split('/').at(-1)).join(' + ')}` : ''}), set ${values.set}, seed ${seed}, ${minutes} min\n` +
    `machine: ${formatMachine(describeMachine())}; load ${formatLoad(start)} → ${formatLoad(conditionsNow())}\n` +
    `iterations: ${out}/\n`,
);
