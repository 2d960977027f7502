import { chmod, cp, lstat, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listWorkingFiles } from '../../src/source/list-working-files.js';
import { materialise } from '../../src/source/materialise.js';
import { SigstormError, UsageError } from '../../src/util/errors.js';
import {
  commitFile,
  fixtureCopy,
  fixtureRepo,
  fixturesDir,
  gitIn,
  removeTempDirs,
  tempDir,
} from './fixture-repo.js';

afterAll(removeTempDirs);

async function filesIn(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...(await filesIn(dir, path)));
    else found.push(path);
  }
  return found.sort();
}

const v2Patch = `Subject: change the message
Bug-Class: none

diff --git a/message.h b/message.h
--- a/message.h
+++ b/message.h
@@ -1 +1 @@
-#define MESSAGE "plain make v1"
+#define MESSAGE "plain make patched"
`;

describe('materialise', () => {
  it('exports a ref other than HEAD from a local repository, leaving the working copy untouched', async () => {
    const repo = await fixtureRepo('plain-make');
    await commitFile(repo, 'message.h', '#define MESSAGE "plain make v2"\n', 'v2');
    // Uncommitted edits and untracked files in the user's working copy must neither leak in nor change.
    await writeFile(join(repo, 'hello.c'), '/* work in progress */\n');
    await writeFile(join(repo, 'notes.txt'), 'mine\n');
    const statusBefore = await gitIn(repo, 'status', '--porcelain');
    const filesBefore = await filesIn(repo);
    const cache = await tempDir('cache');

    const v1 = await materialise({ repo, ref: 'HEAD~1' }, { cacheRoot: cache });
    const head = await materialise({ repo }, { cacheRoot: cache });

    expect(await readFile(join(v1.dir, 'message.h'), 'utf8')).toContain('plain make v1');
    expect(await readFile(join(head.dir, 'message.h'), 'utf8')).toContain('plain make v2');
    expect(await readFile(join(head.dir, 'hello.c'), 'utf8')).toContain('puts(MESSAGE)');
    expect(await filesIn(head.dir)).toEqual(['Makefile', 'hello.c', 'message.h']);
    expect(v1.ref).toBe('HEAD~1');
    expect(v1.commit).toBe(await gitIn(repo, 'rev-parse', 'HEAD~1'));
    expect(v1.hash).not.toBe(head.hash);
    expect(await gitIn(repo, 'status', '--porcelain')).toBe(statusBefore);
    expect(await filesIn(repo)).toEqual(filesBefore);
    expect((await gitIn(repo, 'worktree', 'list')).split('\n')).toHaveLength(1);
  });

  it('exports a subdirectory of a repository, and a bare repository, at a ref', async () => {
    const cache = await tempDir('cache');
    const outer = await tempDir('outer');
    await cp(join(fixturesDir, 'plain-make'), join(outer, 'sub', 'dir'), { recursive: true });
    await gitIn(outer, 'init', '-q', '-b', 'main');
    await gitIn(outer, 'add', '-A');
    await gitIn(outer, 'commit', '-q', '-m', 'v1');
    await writeFile(join(outer, 'sub', 'dir', 'message.h'), '#define MESSAGE "uncommitted"\n');
    const sub = await materialise({ repo: join(outer, 'sub', 'dir'), ref: 'main' }, { cacheRoot: cache });
    expect(await filesIn(sub.dir)).toEqual(['Makefile', 'hello.c', 'message.h']);
    expect(await readFile(join(sub.dir, 'message.h'), 'utf8')).toContain('plain make v1');

    const bare = join(outer, 'bare.git');
    await gitIn(outer, 'clone', '-q', '--bare', outer, bare);
    const fromBare = await materialise({ repo: bare, ref: 'main' }, { cacheRoot: cache });
    expect(await filesIn(fromBare.dir)).toEqual(['sub/dir/Makefile', 'sub/dir/hello.c', 'sub/dir/message.h']);
  });

  it('gives the same hash to the same content however it was obtained', async () => {
    const cache = await tempDir('cache');
    const repo = await fixtureRepo('plain-make');
    const copy = await fixtureCopy('plain-make');
    const fromGit = await materialise({ repo }, { cacheRoot: cache });
    const fromCopy = await materialise({ repo: copy }, { cacheRoot: cache });
    const viaUrl = await materialise({ repo: `file://${repo}`, ref: 'main' }, { cacheRoot: cache });
    expect(fromCopy.hash).toBe(fromGit.hash);
    expect(viaUrl.hash).toBe(fromGit.hash);
    expect(fromCopy.dir).toBe(fromGit.dir);
    expect(fromCopy.ref).toBeNull();

    // Patched content gets its own identity; patching a copy to the committed v2 meets git's v2.
    const patch = join(await tempDir('patch'), 'v2.patch');
    await writeFile(patch, v2Patch);
    const patched = await materialise({ repo: copy, patches: [patch] }, { cacheRoot: cache });
    expect(patched.hash).not.toBe(fromGit.hash);
    expect(await readFile(join(patched.dir, 'message.h'), 'utf8')).toContain('plain make patched');
    await commitFile(repo, 'message.h', '#define MESSAGE "plain make patched"\n', 'patched');
    expect((await materialise({ repo }, { cacheRoot: cache })).hash).toBe(patched.hash);
  });

  it('fetches a URL repository again when its branch moved', async () => {
    const cache = await tempDir('cache');
    const upstream = await fixtureRepo('plain-make');
    const url = `file://${upstream}`;
    const first = await materialise({ repo: url, ref: 'main' }, { cacheRoot: cache });
    await commitFile(upstream, 'message.h', '#define MESSAGE "upstream v2"\n', 'v2');
    const second = await materialise({ repo: url, ref: 'main' }, { cacheRoot: cache });
    expect(await readFile(join(second.dir, 'message.h'), 'utf8')).toContain('upstream v2');
    expect(second.commit).not.toBe(first.commit);
    // By commit id, an older commit still resolves from the mirror.
    const pinned = await materialise({ repo: url, ref: String(first.commit) }, { cacheRoot: cache });
    expect(pinned.hash).toBe(first.hash);
  });

  it('copies a working directory without ignored files and build output', async () => {
    const cache = await tempDir('cache');
    const repo = await fixtureRepo('hello-autotools');
    // What an in-place build leaves behind, some of it not covered by .gitignore.
    await writeFile(join(repo, 'configure'), '#!/bin/sh\n');
    await writeFile(join(repo, 'src', 'main.o'), 'object');
    await writeFile(join(repo, 'src', 'extra.c'), 'int extra;\n');
    await writeFile(join(repo, 'Makefile'), 'generated\n');
    await writeFile(join(repo, 'depcomp'), '#!/bin/sh\n');
    await writeFile(join(repo, 'stray-program'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]));
    await writeFile(join(repo, 'src', 'greet.c'), 'const char *greeting(void) { return "edited"; }\n');
    const tree = await materialise({ repo }, { cacheRoot: cache });
    // A local git repository without --ref builds HEAD: committed content only.
    expect(await filesIn(tree.dir)).toEqual([
      '.gitignore',
      'Makefile.am',
      'configure.ac',
      'src/greet.c',
      'src/greet.h',
      'src/main.c',
    ]);
    // As a plain directory copy (what the bundled subject gets): edits and new sources, no build output.
    await gitIn(repo, 'rm', '-q', '--cached', 'src/main.c');
    expect(await listWorkingFiles(repo)).toEqual([
      '.gitignore',
      'Makefile.am',
      'configure.ac',
      'src/extra.c',
      'src/greet.c',
      'src/greet.h',
      'src/main.c',
    ]);
  });

  it('names the patch and the failing hunk when a patch does not apply', async () => {
    const cache = await tempDir('cache');
    const copy = await fixtureCopy('plain-make');
    const dir = await tempDir('patches');
    const good = join(dir, 'v2.patch');
    await writeFile(good, v2Patch);
    const stale = join(dir, 'stale.patch');
    // Made on top of v2.patch, so it only applies after it.
    await writeFile(
      stale,
      v2Patch
        .replace('Subject: change the message', 'Applies-After: v2.patch')
        .replace('-#define MESSAGE "plain make v1"', '-#define MESSAGE "plain make patched"')
        .replace('+#define MESSAGE "plain make patched"', '+#define MESSAGE "plain make v3"'),
    );
    const error = await materialise({ repo: copy, patches: [stale, good] }, { cacheRoot: cache }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(SigstormError);
    expect(error.message).toContain('stale.patch');
    expect(error.message).toContain('error: patch failed: message.h:1');
    expect(error.details).toContain(stale);
    expect(error.message).toContain('(#1 of 2)');
    expect(error.hint).toContain('--patches v2.patch,stale.patch');
    expect((await materialise({ repo: copy, patches: [good, stale] }, { cacheRoot: cache })).patches).toEqual(
      [good, stale],
    );
    // Applied twice, the second copy fails the same way: the hunk is named, the tree is not published.
    const twice = await materialise({ repo: copy, patches: [good, good] }, { cacheRoot: cache }).catch(
      (e) => e,
    );
    expect(twice.message).toMatch(/v2\.patch \(#2 of 2\) does not apply .*message\.h:1/);
    expect(await readdir(join(cache, 'trees', '.tmp'))).toEqual([]);
  });

  it('rejects missing patches, repositories and refs as usage errors', async () => {
    const cache = await tempDir('cache');
    const repo = await fixtureRepo('plain-make');
    const missing = await materialise({ repo, patches: ['no-such.patch'] }, { cacheRoot: cache }).catch(
      (e) => e,
    );
    expect(missing).toBeInstanceOf(UsageError);
    expect(missing.message).toContain('no-such.patch');
    const noRepo = await materialise({ repo: join(repo, 'nope') }, { cacheRoot: cache }).catch((e) => e);
    expect(noRepo).toBeInstanceOf(UsageError);
    const noRef = await materialise({ repo, ref: 'v9.9' }, { cacheRoot: cache }).catch((e) => e);
    expect(noRef).toBeInstanceOf(UsageError);
    expect(noRef.message).toContain('v9.9');
    const notGit = await materialise(
      { repo: await fixtureCopy('plain-make'), ref: 'main' },
      { cacheRoot: cache },
    ).catch((e) => e);
    expect(notGit).toBeInstanceOf(UsageError);
    expect(notGit.message).toContain('is not a git repository');
  });

  it('keeps the executable bit in the tree identity', async () => {
    const cache = await tempDir('cache');
    const copy = await fixtureCopy('plain-make');
    const before = await materialise({ repo: copy }, { cacheRoot: cache });
    await chmod(join(copy, 'Makefile'), 0o755);
    const after = await materialise({ repo: copy }, { cacheRoot: cache });
    expect(after.hash).not.toBe(before.hash);
    expect((await lstat(join(after.dir, 'Makefile'))).mode & 0o111).not.toBe(0);
  });
});
