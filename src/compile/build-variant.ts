import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { treeSeenAs } from '../sandbox/inside-paths.js';
import { defaultSandbox, type SandboxMode } from '../sandbox/sandbox.schema.js';
import type { Tree } from '../source/tree.js';
import { cacheEntry } from '../util/cache-entry.js';
import { withFileLock } from '../util/file-lock.js';
import { makeDir } from '../util/make-dir.js';
import { pathExists } from '../util/path-exists.js';
import { cacheRoot as defaultCacheRoot } from '../util/paths.js';
import { type BuildStep, commandFailureError } from './build-error.js';
import { buildKey } from './build-key.js';
import { type CompilerIdentity, compilerIdentity } from './compiler.js';
import {
  configureCacheFile,
  configureCacheKey,
  copyConfigureCacheIn,
  keepConfigureCache,
} from './configure-cache.js';
import { helpText } from './configure-help.js';
import { defaultBinary, findBinary } from './find-binary.js';
import { type BuildManifest, logName, readManifest, writeManifest } from './manifest.js';
import { type BuildPlan, planBuild, preparedSource } from './prepare-tree.js';
import type { OnBuildProgress } from './progress.js';
import { CommandFailure, runLogged } from './run-logged.js';
import { type VariantName, variantFlags } from './variants.js';

export interface BuildOptions {
  /** Default: SIGSTORM_CACHE_DIR or ~/.cache/sigstorm. */
  readonly cacheRoot?: string;
  /** The program to return, relative to the tree. Default: `src/iperf3`. */
  readonly binary?: string;
  /** make -j; default: the number of usable cores. */
  readonly jobs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: OnBuildProgress;
  /** Where bootstrap, configure and make run; default a bubblewrap sandbox (src/sandbox/). */
  readonly sandbox?: SandboxMode;
}

export interface BuildResult {
  readonly variant: VariantName;
  /** Absolute path of the ELF program. Needs no LD_LIBRARY_PATH. */
  readonly binary: string;
  /** True when the binary came from the cache (no build ran in this call). */
  readonly cached: boolean;
  readonly key: string;
  /** The cache entry: manifest.json, build.log, tree/ (the build directory). */
  readonly dir: string;
  readonly logFile: string;
  /**
   * The tree asked for. Builds are shared by content, so the cached build may have been made from
   * another origin with the same content (a commit that already has the patch); that does not
   * change what this result says it was built from.
   */
  readonly tree: BuildManifest['tree'];
  readonly compiler: BuildManifest['compiler'];
  readonly cflags: string;
  readonly ldflags: string;
  /** Time this call took (near zero for a cache hit). */
  readonly durationMs: number;
  /** When and how long the cached build originally took. */
  readonly builtAt: string;
  readonly buildDurationMs: number;
}

/** Builds one variant of a materialised tree, or returns it from `<cacheRoot>/builds/<key>/`. */
export async function buildVariant(
  tree: Tree,
  variant: VariantName,
  options: BuildOptions = {},
): Promise<BuildResult> {
  const started = performance.now();
  const cacheRoot = options.cacheRoot ?? defaultCacheRoot();
  const binary = options.binary ?? defaultBinary;
  const compiler = await compilerIdentity();
  const plan = await planBuild(tree);
  const flags = variantFlags[variant];
  const key = buildKey({
    treeHash: tree.hash,
    bootstrapId: plan.bootstrapId,
    variant,
    flags,
    compiler,
    binary,
  });
  const root = join(cacheRoot, 'builds');
  const entry = await cacheEntry({
    root,
    key,
    signal: options.signal,
    isComplete: async (dir) => {
      const manifest = await readManifest(dir);
      // An entry whose program was deleted by hand is rebuilt, not handed out.
      return manifest !== undefined && (await pathExists(join(dir, manifest.binary)));
    },
    onWait: (pid) =>
      options.onProgress?.({
        phase: 'waiting',
        variant,
        message: `${variant}: waiting for process ${pid}, which builds it`,
      }),
    produce: (tmp) => produce({ tree, variant, plan, compiler, binary, key, tmp, cacheRoot, root, options }),
  });
  const manifest = await readManifest(entry.dir);
  if (!manifest)
    throw new Error(`Build cache entry ${entry.dir} has no valid manifest right after it was written`);
  const result: BuildResult = {
    variant,
    binary: join(entry.dir, manifest.binary),
    cached: !entry.created,
    key,
    dir: entry.dir,
    logFile: join(entry.dir, logName),
    tree: treeRecord(tree),
    compiler: manifest.compiler,
    cflags: manifest.cflags,
    ldflags: manifest.ldflags,
    durationMs: Math.round(performance.now() - started),
    builtAt: manifest.builtAt,
    buildDurationMs: manifest.durationMs,
  };
  options.onProgress?.({
    phase: result.cached ? 'cached' : 'built',
    variant,
    message: `${variant}: ${result.cached ? 'cached' : 'built'} ${result.binary}`,
  });
  return result;
}

interface ProduceContext {
  readonly tree: Tree;
  readonly variant: VariantName;
  readonly plan: BuildPlan;
  readonly compiler: CompilerIdentity;
  readonly binary: string;
  readonly key: string;
  readonly tmp: string;
  readonly cacheRoot: string;
  readonly root: string;
  readonly options: BuildOptions;
}

/** What a build records of its tree (the result and the manifest alike). */
function treeRecord(tree: Tree): BuildResult['tree'] {
  return { hash: tree.hash, repo: tree.repo, ref: tree.ref, commit: tree.commit, patches: [...tree.patches] };
}

async function produce(context: ProduceContext): Promise<void> {
  const { tree, variant, plan, compiler, tmp, options } = context;
  const started = performance.now();
  const source = await preparedSource(tree, plan, {
    cacheRoot: context.cacheRoot,
    signal: options.signal,
    onProgress: options.onProgress,
    sandbox: options.sandbox,
  });
  const work = join(tmp, 'tree');
  const logFile = join(tmp, logName);
  await execa('cp', ['-a', `${source}/.`, work], { stdin: 'ignore' });
  const flags = variantFlags[variant];
  // Build paths differ per build; mapping them away keeps sanitizer reports and backtraces comparable.
  // Sandboxed, the tree is at a neutral path (the only one its build sees, flags included).
  const seenAs = treeSeenAs(options.sandbox ?? defaultSandbox, work);
  const cflags = compiler.filePrefixMap ? `${flags.cflags} -ffile-prefix-map=${seenAs}=.` : flags.cflags;
  const commands: string[] = [];
  const jobs = `-j${options.jobs ?? availableParallelism()}`;
  // A make above us (npm run inside make) must not hand its jobserver to this build.
  const env = { MAKEFLAGS: '', MFLAGS: '', MAKELEVEL: '' };
  let step: BuildStep = 'configure';
  const run = async (phase: 'configure' | 'make', file: string, args: string[]): Promise<void> => {
    step = phase;
    const shown = [file, ...args].join(' ');
    commands.push(shown);
    options.onProgress?.({
      phase,
      variant,
      message: `${variant}: ${phase === 'make' ? `make ${jobs}` : shown.slice(0, 100)}`,
    });
    await runLogged(file, args, {
      cwd: work,
      logFile,
      env,
      signal: options.signal,
      sandbox: options.sandbox,
    });
  };
  try {
    if (plan.kind.kind === 'autotools') {
      const help = await helpText(work, options.sandbox, options.signal);
      // Static libraries only: the program then runs without LD_LIBRARY_PATH or a libtool wrapper.
      const shared = /--(disable|enable)-shared\b/.test(help) ? ['--disable-shared'] : [];
      const vars = [`CC=${compiler.command}`, `CFLAGS=${cflags}`, `LDFLAGS=${flags.ldflags}`];
      // Always the same command line, cache file or not: config.status records it.
      const args = ['./configure', `--cache-file=${configureCacheFile}`, ...shared, ...vars];
      const sandbox = options.sandbox ?? defaultSandbox;
      const cacheKey = await configureCacheKey({
        configure: join(work, 'configure'),
        tree: work,
        args,
        seenAs,
        compiler,
        sandbox,
      });
      const cacheRoot = join(context.cacheRoot, 'configure-cache');
      const configure = async () => {
        if (await copyConfigureCacheIn(cacheRoot, cacheKey, work, seenAs))
          options.onProgress?.({
            phase: 'configure',
            variant,
            message: `${variant}: configure cache reused`,
          });
        await run('configure', 'sh', args);
        await keepConfigureCache(cacheRoot, cacheKey, work, seenAs);
      };
      if (await pathExists(join(cacheRoot, cacheKey))) await configure();
      else {
        // The first configure of a key runs every check; builds of other trees with the same key
        // meanwhile (a series' trees, side by side) wait for its answers rather than all run every
        // check at once: a configure from the cache is a fraction of a full one.
        await makeDir(cacheRoot);
        await withFileLock(join(cacheRoot, `${cacheKey}.lock`), configure, {
          signal: options.signal,
          onWait: (pid) =>
            options.onProgress?.({
              phase: 'waiting',
              variant,
              message: `${variant}: waiting for process ${pid}'s configure, whose answers this one reuses`,
            }),
        });
      }
      // V=1: automake's silent rules would hide the compiler command lines from the log.
      await run('make', 'make', [jobs, 'V=1']);
    } else {
      await run('make', 'make', [
        jobs,
        `CC=${compiler.command}`,
        `CFLAGS=${cflags}`,
        `LDFLAGS=${flags.ldflags}`,
      ]);
    }
  } catch (error) {
    if (!(error instanceof CommandFailure)) throw error;
    const keepLogAt = join(context.root, '.failed', `${context.key}.log`);
    throw await commandFailureError(error, { tree, variant, step, logFile, keepLogAt });
  }
  const binary = await findBinary(work, context.binary);
  await writeManifest(tmp, {
    schemaVersion: 1,
    key: context.key,
    variant,
    cflags: flags.cflags,
    ldflags: flags.ldflags,
    effectiveCflags: cflags,
    compiler: { command: compiler.command, path: compiler.path, version: compiler.version },
    bootstrap: plan.bootstrapId,
    kind: plan.kind.kind,
    tree: treeRecord(tree),
    binary: `tree/${binary}`,
    commands,
    builtAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
  });
}
