// One JavaScript file bundled (esbuild) from a TypeScript entry, kept below the installation by the
// hash of its inputs and rebuilt when they change. Started through tsx's loader, every process
// resolves and compiles some 300 sources and the dependencies' trees anew (1.5–3 s of CPU per
// `sigstorm` command); the bundle holds the same code and starts several times faster.
// Plain JavaScript: bin/sigstorm.js uses it before anything can compile TypeScript.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Bundles of earlier sources are removed once no process started within this time can load them. */
const keepOlderMs = 3_600_000;

/**
 * The path of the bundle of `spec.entry`, built first if no bundle of the same inputs exists.
 * It is written to `<root>/.sigstorm/<dir>/`: two directories below the installation, as
 * src/util/paths.ts is, so `installRoot` (from `import.meta.url`) names the same directory inside the
 * bundle. Processes that build it at once each write their own file and rename it into place.
 * @param {{ root: string, dir: string, name: string, entry: string, inputs: readonly string[] }} spec
 * @returns {Promise<string>}
 */
export async function cachedBundle(spec) {
  const dir = join(spec.root, '.sigstorm', spec.dir);
  const path = join(dir, `${spec.name}-${inputsHash(spec.root, spec.inputs)}.mjs`);
  if (
    await stat(path).then(
      () => true,
      () => false,
    )
  )
    return path;
  const { build } = await import('esbuild');
  await mkdir(dir, { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  try {
    await build({
      entryPoints: [join(spec.root, spec.entry)],
      outfile: partial,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Native: stays a module of node_modules.
      external: ['better-sqlite3'],
      // CommonJS dependencies bundled into an ES module still call require() for Node's builtins.
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
      },
      logLevel: 'silent',
    });
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
  await pruneOlder(dir, spec.name, path);
  return path;
}

/** @param {string} dir @param {string} name @param {string} kept */
async function pruneOlder(dir, name, kept) {
  const ours = new RegExp(`^${name}-\\w+\\.mjs$`);
  for (const file of await readdir(dir)) {
    const path = join(dir, file);
    if (path === kept || !ours.test(file)) continue;
    // Another process may prune it at the same time.
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs > keepOlderMs) await rm(path, { force: true });
  }
}

/** @param {string} root @param {readonly string[]} inputs */
function inputsHash(root, inputs) {
  // Every command's start pays for this. Synchronous reads: ~350 small files are read and hashed in
  // 15–50 ms, where a promise and a thread-pool round trip per file took ~140 ms.
  const hash = createHash('sha256');
  for (const file of inputs.flatMap((input) => filesUnder(join(root, input)))) {
    hash.update(relative(root, file));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** @param {string} path @returns {string[]} */
function filesUnder(path) {
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOTDIR') return [path];
    throw error;
  }
  return entries
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const full = join(path, e.name);
      if (e.isDirectory()) return filesUnder(full);
      return e.isFile() ? [full] : [];
    });
}
