import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { type BuildProgress, build, buildVariant, buildVariants } from '../../src/compile/build-tree.js';
import { materialise } from '../../src/source/materialise.js';
import { SigstormError } from '../../src/util/errors.js';
import { fixtureCopy, fixtureRepo, removeTempDirs, symbolsOf, tempDir } from './fixture-repo.js';

afterAll(removeTempDirs);

const isElf = async (path: string): Promise<boolean> =>
  (await readFile(path)).subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));

describe('builder on an autotools tree (libtool, no generated files)', () => {
  it('survives an interrupted build, builds plain and asan with their flags, then serves them from the cache', async () => {
    const cache = await tempDir('cache');
    const repo = await fixtureRepo('hello-autotools');

    // An interrupted build first: it must leave no process and nothing in the cache behind.
    const controller = new AbortController();
    const aborted = await build({ repo }, ['plain'], {
      cacheRoot: cache,
      binary: 'src/hello',
      signal: controller.signal,
      onProgress: (event) => {
        if (event.phase === 'configure') setTimeout(() => controller.abort(), 300);
      },
    }).catch((e) => e);
    expect(controller.signal.aborted).toBe(true);
    expect(aborted).not.toBeInstanceOf(SigstormError);
    expect((await readdir(join(cache, 'builds'))).filter((name) => !name.startsWith('.'))).toEqual([]);
    expect((await execa('ps', ['-eo', 'args'])).stdout).not.toContain(join(cache, 'builds'));

    // plain and one sanitizer: what configure does with a variant's flags is the same for asan and
    // tsan (tsan's flags are checked on the plain Makefile tree below); each configure here takes ~15 s of CPU.
    const events: BuildProgress[] = [];
    const first = await build({ repo }, ['plain', 'asan'], {
      cacheRoot: cache,
      binary: 'src/hello',
      onProgress: (event) => events.push(event),
    });
    for (const result of Object.values(first.variants)) {
      expect(result.cached).toBe(false);
      // --disable-shared: the real program, not libtool's wrapper script, and it runs as it is.
      expect(await isElf(result.binary)).toBe(true);
      expect((await execa(result.binary, [], { env: { ASAN_OPTIONS: 'detect_leaks=0' } })).stdout).toBe(
        'hello from autotools',
      );
      expect((await execa('ldd', [result.binary])).stdout).not.toContain('libhello');
    }
    const plainSymbols = await symbolsOf(first.variants.plain.binary);
    expect(plainSymbols).not.toMatch(/__asan_init|__tsan_init/);
    expect(await symbolsOf(first.variants.asan.binary)).toContain('__asan_init');
    expect(await symbolsOf(first.variants.asan.binary)).toContain('__ubsan_handle');
    // configure was generated once (before the interruption) and reused; then configure and make per variant.
    expect(events.filter((event) => event.phase === 'bootstrap')).toHaveLength(0);
    expect(events.filter((event) => event.phase === 'make').map((event) => event.variant)).toEqual([
      'plain',
      'asan',
    ]);

    const logTimes = await Promise.all(
      Object.values(first.variants).map(async (r) => (await stat(r.logFile)).mtimeMs),
    );
    const second = await build({ repo }, ['plain', 'asan'], {
      cacheRoot: cache,
      binary: 'src/hello',
      onProgress: (event) => events.push(event),
    });
    for (const [name, result] of Object.entries(second.variants)) {
      expect(result.cached, name).toBe(true);
      expect(result.binary).toBe(first.variants[name as keyof typeof first.variants].binary);
    }
    expect(events.slice(-2).map((event) => event.phase)).toEqual(['cached', 'cached']);
    const logTimesAfter = await Promise.all(
      Object.values(second.variants).map(async (r) => (await stat(r.logFile)).mtimeMs),
    );
    expect(logTimesAfter).toEqual(logTimes);
    // The build log is kept with the binary and shows the variant's flags on the compiler lines.
    const log = await readFile(second.variants.asan.logFile, 'utf8');
    expect(log).toMatch(/--disable-shared/);
    expect(log).toMatch(/-fsanitize=address,undefined -fno-omit-frame-pointer -g -O1/);
  });
});

describe('builder on a plain Makefile tree', () => {
  it("passes the variant flags on make's command line and shares builds between identical trees", async () => {
    const cache = await tempDir('cache');
    const tree = await materialise({ repo: await fixtureCopy('plain-make') }, { cacheRoot: cache });
    const [asan, again] = await Promise.all([
      buildVariant(tree, 'asan', { cacheRoot: cache, binary: 'hello' }),
      buildVariant(tree, 'asan', { cacheRoot: cache, binary: 'hello' }),
    ]);
    // Two concurrent requests for one key: one build, one cache hit, the same binary.
    expect([asan.cached, again.cached].sort()).toEqual([false, true]);
    expect(again.binary).toBe(asan.binary);
    expect(await symbolsOf(asan.binary)).toContain('__asan_init');
    expect((await execa(asan.binary)).stdout).toBe('plain make v1');

    // The same content from a git repository: same tree hash, so no second build.
    const fromGit = await materialise({ repo: await fixtureRepo('plain-make') }, { cacheRoot: cache });
    const shared = await buildVariants(fromGit, ['asan'], { cacheRoot: cache, binary: 'hello' });
    expect(shared.asan.cached).toBe(true);
    expect(shared.asan.key).toBe(asan.key);
    // …but the result says what was asked for, not where the shared build first came from.
    expect(shared.asan.tree.repo).toBe(fromGit.repo);
    expect(shared.asan.tree.commit).toBe(fromGit.commit);
    expect(asan.tree.commit).toBeNull();
    expect((await readdir(join(cache, 'builds'))).filter((name) => !name.startsWith('.'))).toEqual([
      asan.key,
    ]);

    // An entry whose program was deleted is rebuilt rather than handed out.
    await rm(asan.binary);
    const rebuilt = await buildVariant(fromGit, 'asan', { cacheRoot: cache, binary: 'hello' });
    expect(rebuilt.cached).toBe(false);
    expect(await isElf(rebuilt.binary)).toBe(true);
  });

  it('builds in two processes at once without corrupting the cache', async () => {
    const cache = await tempDir('cache');
    const repo = await fixtureCopy('plain-make');
    const cli = join(import.meta.dirname, '..', '..', 'bin', 'sigstorm.js');
    const run = () =>
      execa('node', [cli, 'build', '--repo', repo, '--binary', 'hello', '--variants', 'tsan', '--json'], {
        env: { SIGSTORM_CACHE_DIR: cache },
      });
    const results = await Promise.all([run(), run()]);
    const docs = results.map((result) => JSON.parse(result.stdout));
    expect(docs.map((doc) => doc.variants.tsan.cached).sort()).toEqual([false, true]);
    expect(docs[0].variants.tsan.binary).toBe(docs[1].variants.tsan.binary);
    expect(await symbolsOf(docs[0].variants.tsan.binary)).toContain('__tsan_init');
  });
});

describe('build failures', () => {
  it('leads with the compiler error, then names the tree, the variant, the command and the kept log', async () => {
    const cache = await tempDir('cache');
    const repo = await fixtureCopy('broken-build');
    const error = await build({ repo }, ['asan'], { cacheRoot: cache, binary: 'hello' }).catch((e) => e);
    expect(error).toBeInstanceOf(SigstormError);
    // The first line is the compiler's own error, with the path relative to the tree.
    expect(error.message).toMatch(/^hello\.c:\d+:\d+: error: expected ';' before 'return'$/);
    const [what, log] = String(error.details).split('\n');
    expect(what).toContain('broken-build (working copy)');
    expect(what).toContain('variant asan');
    expect(what).toMatch(/`make -j\d+ CC=cc 'CFLAGS=-fsanitize=address,undefined[^`]*` exited with status 2/);
    expect(log).toMatch(/^full log: .*\.failed\/asan-[0-9a-f]+\.log$/);
    // The kept log still exists and holds the error.
    const kept = String(log).replace(/^full log: /, '');
    expect(await readFile(kept, 'utf8')).toContain("error: expected ';' before 'return'");
    expect(error.details).not.toContain('.tmp');
    expect(error.hint).toContain('does not compile');
    // Nothing half-built was published; a fixed tree then builds normally.
    expect((await readdir(join(cache, 'builds'))).filter((name) => !name.startsWith('.'))).toEqual([]);
    expect(await readdir(join(cache, 'builds', '.tmp'))).toEqual([]);
  });

  it('says where the program is missing and which programs the build did produce', async () => {
    const cache = await tempDir('cache');
    const error = await build({ repo: await fixtureCopy('plain-make') }, ['plain'], {
      cacheRoot: cache,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(SigstormError);
    expect(error.message).toContain('src/iperf3');
    expect(error.details).toContain('hello');
    expect(error.hint).toContain('--binary');
  });
});
