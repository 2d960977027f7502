// Cold and warm build time of base + head in every variant: cold into a fresh temporary cache (materialise,
// prepare, configure, make), warm = the same request again (cache hits). The temporary cache is removed.
// Run: npx tsx bench/build-time.ts [--quick]. bench/run.ts calls buildTimeBench().
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type VariantName, variantNames } from '../src/compile/build-tree.js';
import { bundledPatchesDir } from '../src/util/paths.js';

export interface BuildTimeOptions {
  /** Short version: the plain variant only. */
  readonly quick?: boolean;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface SideBuild {
  readonly side: 'base' | 'head';
  /** Wall time of build(): materialise + every variant. */
  readonly seconds: number;
  /** Per variant: seconds of the builder's own measurement (configure + make) and whether it was cached. */
  readonly variants: readonly { variant: VariantName; buildSeconds: number; cached: boolean }[];
  /** What this side took from an earlier build (bootstrap outputs, configure cache): progress lines. */
  readonly reused: readonly string[];
}

export interface BuildTimeResult {
  readonly head: string;
  readonly variants: readonly VariantName[];
  readonly cold: { readonly seconds: number; readonly sides: readonly SideBuild[] };
  readonly warm: { readonly seconds: number; readonly sides: readonly SideBuild[] };
}

const headPatch = 'unblocked-worker-signals.patch';

export async function buildTimeBench(options: BuildTimeOptions = {}): Promise<BuildTimeResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const variants: readonly VariantName[] = options.quick ? ['plain'] : variantNames;
  const cacheRoot = await mkdtemp(join(tmpdir(), 'sigstorm-bench-cache-'));
  const sides = [
    { side: 'base' as const, spec: {} },
    { side: 'head' as const, spec: { patches: [join(bundledPatchesDir, headPatch)] } },
  ];
  const buildAll = async (label: string) => {
    const started = performance.now();
    const done: SideBuild[] = [];
    for (const { side, spec } of sides) {
      const t = performance.now();
      const reused: string[] = [];
      const result = await build(spec, variants, {
        cacheRoot,
        onProgress: (event) => {
          if (/ reused\b/.test(event.message)) reused.push(event.message);
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      done.push({
        side,
        seconds: (performance.now() - t) / 1000,
        variants: variants.map((variant) => ({
          variant,
          buildSeconds: result.variants[variant].buildDurationMs / 1000,
          cached: result.variants[variant].cached,
        })),
        reused,
      });
      log(`  build-time: ${label} ${side} done`);
    }
    return { seconds: (performance.now() - started) / 1000, sides: done };
  };
  try {
    const cold = await buildAll('cold');
    const warm = await buildAll('warm');
    return { head: `patches/${headPatch}`, variants, cold, warm };
  } finally {
    await rm(cacheRoot, { recursive: true, force: true });
  }
}

export function formatBuildTime(r: BuildTimeResult): string {
  const s = (x: number) => `${x.toFixed(1)} s`;
  const side = (b: SideBuild) =>
    `${b.side} ${s(b.seconds)} (${b.variants.map((v) => `${v.variant} ${s(v.buildSeconds)}`).join(', ')})`;
  const ms = (x: number) => `${(x * 1000).toFixed(0)} ms`;
  const warmHits = r.warm.sides.every((b) => b.variants.every((v) => v.cached));
  return [
    `Build time of the bundled subject, base + head (${r.head}), variants ${r.variants.join(', ')}; make -j<cores>; one run each`,
    `  cold (fresh temporary cache: materialise, prepare, configure, make): ${s(r.cold.seconds)} — ${r.cold.sides.map(side).join('; ')} (per variant: configure + make as the builder measured it)`,
    // Head differs from base in C only: its bootstrap and configure answers come from base's (docs/build.md).
    `  cold, head reused: ${r.cold.sides.find((b) => b.side === 'head')?.reused.join('; ') || 'nothing'}`,
    `  warm (the same request again${warmHits ? ', every variant a cache hit' : ', NOT every variant was a cache hit'}): ${ms(r.warm.seconds)} — ${r.warm.sides
      .map((b) => `${b.side} ${ms(b.seconds)}`)
      .join('; ')}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await buildTimeBench({ quick: process.argv.includes('--quick') });
  process.stdout.write(`${formatBuildTime(result)}\n`);
}
