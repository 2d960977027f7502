import { appendFile, cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bootstrapInputs } from '../../src/compile/bootstrap-inputs.js';
import { type BuildProgress, buildVariant } from '../../src/compile/build-tree.js';
import { planBuild, preparedSource } from '../../src/compile/prepare-tree.js';
import { listTreeFiles } from '../../src/compile/tree-files.js';
import { materialise } from '../../src/source/materialise.js';
import { bundledSubjectDir } from '../../src/util/paths.js';
import { removeTempDirs, tempDir } from './fixture-repo.js';

afterAll(removeTempDirs);

/** A copy of the bundled subject with `change` applied, materialised as its own tree. */
async function subjectWith(label: string, change: (dir: string) => Promise<void>) {
  const dir = join(await tempDir(label), 'subject');
  await cp(bundledSubjectDir, dir, { recursive: true });
  await change(dir);
  return materialise({ repo: dir });
}

/**
 * Every entry of a prepared tree: path → type, mode and content hash. autom4te.cache/requests is a
 * Perl hash dump whose order changes with every autoconf run (two fresh bootstraps differ there
 * too): it is compared as its sorted lines.
 */
async function contents(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [path, file] of await listTreeFiles(dir)) out[path] = `${file.type} ${file.mode} ${file.hash}`;
  const requests = await readFile(join(dir, 'autom4te.cache', 'requests'), 'utf8');
  out['autom4te.cache/requests'] = requests
    .split('\n')
    .map((line) => line.replace(/,$/, ''))
    .sort()
    .join('\n');
  return out;
}

const messages = (events: BuildProgress[]) => events.map((event) => event.message);

describe('bootstrap reuse and the configure cache (bundled subject)', () => {
  it('reuses the bootstrap and configure results of a tree differing in a .c file, byte for byte', async () => {
    const warm = await tempDir('cache-warm');
    const fresh = await tempDir('cache-fresh');
    const base = await materialise({});
    const changed = await subjectWith('c-change', (dir) =>
      appendFile(join(dir, 'src', 'main.c'), '\n/* a change in C only */\n'),
    );
    expect(changed.hash).not.toBe(base.hash);

    // The same tree in an empty cache (a bootstrap of its own, configure without cached answers)
    // shares nothing with the warm cache: it builds while the warm cache fills.
    const freshEvents: BuildProgress[] = [];
    const fromFresh = buildVariant(changed, 'plain', {
      cacheRoot: fresh,
      onProgress: (e) => freshEvents.push(e),
    });
    fromFresh.catch(() => {}); // Awaited below; a failure there fails the test.

    const baseEvents: BuildProgress[] = [];
    await buildVariant(base, 'plain', { cacheRoot: warm, onProgress: (e) => baseEvents.push(e) });
    expect(messages(baseEvents)).toContain('generating configure (bootstrap.sh)');

    const events: BuildProgress[] = [];
    const reused = await buildVariant(changed, 'plain', {
      cacheRoot: warm,
      onProgress: (e) => events.push(e),
    });
    expect(messages(events)).toContain(
      'configure reused from tree bundled subject test/subject (working copy) (same autotools inputs)',
    );
    expect(messages(events)).not.toContain('generating configure (bootstrap.sh)');
    expect(messages(events)).toContain('plain: configure cache reused');
    // The copied outputs are newer than the tree's inputs: make never reruns aclocal/automake/autoconf.
    expect(await readFile(reused.logFile, 'utf8')).not.toMatch(
      /missing (aclocal|automake|autoconf|autoheader)/,
    );

    const alone = await fromFresh;
    expect(messages(freshEvents)).toContain('generating configure (bootstrap.sh)');
    expect(messages(freshEvents)).not.toContain('plain: configure cache reused');
    expect(alone.key).toBe(reused.key);

    const plan = await planBuild(changed);
    const reusedTree = await preparedSource(changed, plan, { cacheRoot: warm });
    const freshTree = await preparedSource(changed, plan, { cacheRoot: fresh });
    expect(reusedTree).not.toBe(freshTree);
    const [reusedFiles, freshFiles] = [await contents(reusedTree), await contents(freshTree)];
    expect(Object.keys(reusedFiles)).toContain('configure');
    expect(Object.keys(reusedFiles)).toContain('Makefile.in');
    expect(reusedFiles).toEqual(freshFiles);

    for (const file of ['src/config.h', 'Makefile', 'config.status']) {
      const withCache = await readFile(join(reused.dir, 'tree', file), 'utf8');
      expect(withCache, file).toBe(await readFile(join(alone.dir, 'tree', file), 'utf8'));
    }
    // Three builds of ~15 s of CPU each (configure and bootstrap on one core: the fresh one beside the
    // warm two uses the other).
  }, 600_000);

  it('two trees with the same autotools inputs built at once in an empty cache: one bootstrap, one full configure', async () => {
    const cache = await tempDir('cache-together');
    const differing = (file: string) =>
      subjectWith(`together-${file}`, (dir) =>
        appendFile(join(dir, 'src', `${file}.c`), `\n/* ${file} differs */\n`),
      );
    const [one, two] = await Promise.all([differing('units'), differing('timer')]);
    const events: BuildProgress[][] = [[], []];
    const built = await Promise.all(
      [one, two].map((tree, i) =>
        buildVariant(tree, 'plain', { cacheRoot: cache, onProgress: (e) => events[i]?.push(e) }),
      ),
    );
    expect(built.map((b) => b.cached)).toEqual([false, false]);
    // Whichever came first generated and configured from scratch; the other waited for its answers.
    const all = events.flat().map((e) => e.message);
    expect(all.filter((m) => m === 'generating configure (bootstrap.sh)')).toHaveLength(1);
    expect(all.filter((m) => m.startsWith('configure reused from tree '))).toHaveLength(1);
    expect(all.filter((m) => m === 'plain: configure cache reused')).toHaveLength(1);
    const [a, b] = await Promise.all(
      built.map((r) => readFile(join(r.dir, 'tree', 'src', 'config.h'), 'utf8')),
    );
    expect(a).toMatch(/#define HAVE_/);
    expect(a).toBe(b);
  }, 600_000);

  it('bootstraps afresh a tree whose configure.ac or Makefile.am changed', async () => {
    const cache = await tempDir('cache-inputs');
    const base = await materialise({});
    await preparedSource(base, await planBuild(base), { cacheRoot: cache });

    const configureAc = await subjectWith('configure-ac', async (dir) => {
      const path = join(dir, 'configure.ac');
      const text = await readFile(path, 'utf8');
      await writeFile(
        path,
        text.replace('AC_OUTPUT', 'AC_DEFINE([SIGSTORM_REUSE_PROBE], [1], [reuse probe])\nAC_OUTPUT'),
      );
    });
    const makefileAm = await subjectWith('makefile-am', (dir) =>
      appendFile(join(dir, 'Makefile.am'), '\n# sigstorm reuse probe\n'),
    );
    // Each changed tree beside the other (bootstrap is one core's work), each with its own events.
    await Promise.all(
      (
        [
          [configureAc, 'src/config.h.in', 'SIGSTORM_REUSE_PROBE'],
          [makefileAm, 'Makefile.in', '# sigstorm reuse probe'],
        ] as const
      ).map(async ([tree, file, probe]) => {
        const own: BuildProgress[] = [];
        const dir = await preparedSource(tree, await planBuild(tree), {
          cacheRoot: cache,
          onProgress: (event) => own.push(event),
        });
        expect(messages(own), file).toEqual(['generating configure (bootstrap.sh)']);
        expect(await readFile(join(dir, file), 'utf8')).toContain(probe);
      }),
    );
  }, 300_000);

  it('does not reuse a bootstrap whose inputs run commands', async () => {
    const dir = join(await tempDir('esyscmd'), 'subject');
    await cp(bundledSubjectDir, dir, { recursive: true });
    const read = (path: string) => readFile(join(dir, path), 'utf8');
    const plain = await bootstrapInputs(await listTreeFiles(dir), 'autoreconf', read);
    expect(plain.reusable).toBe(true);
    await appendFile(join(dir, 'src', 'main.c'), '\n/* C only */\n');
    expect(await bootstrapInputs(await listTreeFiles(dir), 'autoreconf', read)).toEqual(plain);
    await appendFile(join(dir, 'README.md'), '\nchanged\n');
    expect(await bootstrapInputs(await listTreeFiles(dir), 'autoreconf', read)).not.toEqual(plain);

    await writeFile(join(dir, 'acinclude.m4'), 'm4_include([src/main.c])\n');
    expect(await bootstrapInputs(await listTreeFiles(dir), 'autoreconf', read)).toEqual({
      reusable: false,
      reason: 'acinclude.m4 includes a C file',
    });
    await rm(join(dir, 'acinclude.m4'));

    const text = await read('configure.ac');
    await writeFile(
      join(dir, 'configure.ac'),
      text.replace('[3.18-subject]', "m4_esyscmd([git describe | tr -d '\\n'])"),
    );
    expect(await bootstrapInputs(await listTreeFiles(dir), 'autoreconf', read)).toEqual({
      reusable: false,
      reason: 'configure.ac runs commands (m4_esyscmd or similar)',
    });
  });
});
