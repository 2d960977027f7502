import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { installRoot } from '../../../src/util/paths.js';

/**
 * The scripted App (scripted-serve.ts) as one JavaScript file. Started through tsx's loader, each
 * App process resolved and compiled some 300 sources and Probot's dependency tree anew: most of the
 * App tests' time went to starting the App. The bundle holds the same code (Node modules included;
 * better-sqlite3, native, stays outside) and starts several times faster.
 *
 * Built once per content of its inputs (src/, the test supports it imports, the package files) and kept
 * in `.sigstorm/test-app/`: two directories below the installation, as src/util/paths.ts is, so
 * `installRoot` (from `import.meta.url`) names the same directory inside the bundle. Parallel test
 * files that build it at once each write their own file and rename it into place.
 */
const bundleDir = join(installRoot, '.sigstorm', 'test-app');
const entry = join(installRoot, 'test', 'app', 'support', 'scripted-serve.ts');
/** Everything the bundle may contain: a change to any of these builds a new one. */
const inputs = [
  'src',
  join('test', 'app', 'support'),
  join('test', 'support'),
  'package.json',
  'package-lock.json',
];

let bundled: Promise<string> | undefined;

/** The path of the bundled scripted App, built first if its inputs changed. */
export function scriptedServeBundle(): Promise<string> {
  bundled ??= bundle();
  return bundled;
}

async function bundle(): Promise<string> {
  const path = join(bundleDir, `scripted-serve-${await inputsHash()}.mjs`);
  if (
    await access(path).then(
      () => true,
      () => false,
    )
  )
    return path;
  await mkdir(bundleDir, { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  try {
    await build({
      entryPoints: [entry],
      outfile: partial,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['better-sqlite3'],
      // CommonJS dependencies bundled into an ES module still call require() for Node's builtins.
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
      },
      logLevel: 'error',
    });
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
  await pruneOlderBundles(path);
  return path;
}

/** Bundles of earlier sources (a few MB each), once no test run started within the hour can use them. */
async function pruneOlderBundles(kept: string): Promise<void> {
  for (const name of await readdir(bundleDir)) {
    const path = join(bundleDir, name);
    if (path === kept || !/^scripted-serve-\w+\.mjs$/.test(name)) continue;
    // Another test file may prune it at the same time.
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs > 3_600_000) await rm(path, { force: true });
  }
}

async function inputsHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const input of inputs) {
    for (const file of await filesUnder(join(installRoot, input))) {
      hash.update(relative(installRoot, file));
      hash.update(await readFile(file));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

async function filesUnder(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (!entries) return [path];
  const files: string[] = [];
  for (const e of entries.toSorted((a, b) => a.name.localeCompare(b.name))) {
    const full = join(path, e.name);
    if (e.isDirectory()) files.push(...(await filesUnder(full)));
    else if (e.isFile()) files.push(full);
  }
  return files;
}
