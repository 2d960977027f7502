import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { VariantName } from './variants.js';

/** `<cacheRoot>/builds/<key>/manifest.json`: what was built, from what, how. Written last. */
export const BuildManifest = z.object({
  schemaVersion: z.literal(1),
  key: z.string(),
  variant: VariantName,
  cflags: z.string(),
  ldflags: z.string(),
  /** The CFLAGS configure/make really got (variant flags plus path mapping). */
  effectiveCflags: z.string(),
  compiler: z.object({ command: z.string(), path: z.string(), version: z.string() }),
  /** How configure was generated (method and autotools versions), or null when it was not. */
  bootstrap: z.string().nullable(),
  kind: z.enum(['autotools', 'make']),
  tree: z.object({
    hash: z.string(),
    repo: z.string(),
    ref: z.string().nullable(),
    commit: z.string().nullable(),
    patches: z.array(z.string()),
  }),
  /** Path of the program relative to the entry directory, e.g. `tree/src/iperf3`. */
  binary: z.string(),
  commands: z.array(z.string()),
  builtAt: z.string(),
  durationMs: z.number(),
});
export type BuildManifest = z.infer<typeof BuildManifest>;

export const manifestName = 'manifest.json';
export const logName = 'build.log';

/** The manifest of a complete entry, or undefined when the entry is missing or unusable. */
export async function readManifest(entryDir: string): Promise<BuildManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(entryDir, manifestName), 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) {
      return undefined;
    }
    throw error;
  }
  const parsed = BuildManifest.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

export async function writeManifest(entryDir: string, manifest: BuildManifest): Promise<void> {
  const path = join(entryDir, manifestName);
  await writeFile(`${path}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}
