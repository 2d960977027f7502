/**
 * The CLI's front door, as a user meets it: the real `node bin/sigstorm.js` in a real process, each
 * with a cache directory of its own (cold). Bad input exits 2 with one message saying what was
 * wrong and how to get help, before anything is built and before any output folder exists.
 */
import { access, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installRoot } from '../../src/util/paths.js';

const cli = join(installRoot, 'bin', 'sigstorm.js');
const iperf3 = '/usr/bin/iperf3';
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sigstorm-bad-input-'));
  // A real diff of the bundled subject whose context is not there: well-formed, does not apply.
  await writeFile(
    join(dir, 'does-not-apply.patch'),
    [
      'diff --git a/src/units.c b/src/units.c',
      '--- a/src/units.c',
      '+++ b/src/units.c',
      '@@ -1,3 +1,3 @@',
      '-/* a first line this file never had */',
      '+/* a new first line */',
      ' #include "config.h"',
      ' ',
      '',
    ].join('\n'),
  );
  await writeFile(join(dir, 'notes.txt'), 'Remember to fix the SIGTERM handler.\n');
  await mkdir(join(dir, 'no-build-system'));
  await writeFile(join(dir, 'no-build-system', 'main.c'), 'int main(void) { return 0; }\n');
  await cp(join(installRoot, 'test', 'fixtures', 'broken-build'), join(dir, 'broken-build'), {
    recursive: true,
  });
  await writeFile(join(dir, 'sigstorm.yml'), 'workloads:\n  - server-sigterm\n  - server-sigtrem\n');
  await writeFile(
    join(dir, 'two-unknown.yml'),
    'workloads:\n  - server-sigterm\nfoo: 1\nvariants: [plain]\n  # a comment\nbar: 2\n',
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  /** Every pattern must match stderr. */
  readonly stderr: readonly (string | RegExp)[];
  /** Patterns stderr must not match (the whole help, a cache copy's path). */
  readonly notStderr?: readonly (string | RegExp)[];
}

/** `{dir}` in an argument is the test's temp directory. */
const cases: readonly Case[] = [
  {
    name: 'an empty --workloads list',
    args: ['validate', '--workloads', ','],
    stderr: ['--workloads is an empty list', 'sigstorm validate --help'],
  },
  {
    name: 'an empty --head-patches list',
    args: ['validate', '--head-patches', ','],
    stderr: ['--head-patches is an empty list'],
  },
  {
    name: 'an empty --patches list',
    args: ['build', '--patches', ' , '],
    stderr: ['--patches is an empty list'],
  },
  {
    name: 'a head patch that does not apply (found before the base is built)',
    args: ['validate', '--head-patches', '{dir}/does-not-apply.patch'],
    stderr: [
      /^sigstorm: head: Patch does-not-apply\.patch \(#1 of 1\) does not apply to bundled subject/m,
      'error: patch failed: src/units.c:1',
      '{dir}/does-not-apply.patch',
    ],
  },
  {
    name: 'a CPU this process may not use',
    args: ['validate', '--cpus', '99'],
    stderr: ['CPUs 99 are not available to this process'],
  },
  {
    name: 'a CPU this process may not use, in a storm',
    args: ['storm', '--binary', iperf3, '--workload', 'server-sigterm', '--cpus', '99'],
    stderr: ['CPUs 99 are not available to this process'],
  },
  {
    name: 'a misspelt option',
    args: ['storm', '--iteratons', '5', '--workload', 'server-sigterm'],
    stderr: [
      /^sigstorm storm: unknown option '--iteratons' \(did you mean --iterations\?\)$/m,
      'Run `sigstorm storm --help`',
    ],
    notStderr: ['Usage:', 'Options:'],
  },
  {
    name: 'a missing required option',
    args: ['storm', '--binary', iperf3],
    stderr: [/^sigstorm storm: required option '--workload <name\|file>' not specified$/m],
    notStderr: ['Usage:'],
  },
  {
    name: 'an unknown command',
    args: ['stom', '--workload', 'server-sigterm'],
    stderr: [/^sigstorm: unknown command 'stom' \(did you mean storm\?\)$/m, 'Run `sigstorm --help`'],
    notStderr: ['Usage:'],
  },
  {
    name: 'a folder with no build system (named as the user gave it)',
    args: ['build', '--repo', '{dir}/no-build-system'],
    stderr: ["Don't know how to build {dir}/no-build-system (working copy)"],
    notStderr: ['/trees/', '.tmp'],
  },
  {
    name: 'a file that is not a patch',
    args: ['build', '--patches', '{dir}/notes.txt'],
    stderr: ['{dir}/notes.txt is not a patch: no diff hunks found'],
    notStderr: ['different content'],
  },
  {
    name: '--iterations with --only-iteration',
    args: [
      'storm',
      '--binary',
      iperf3,
      '--workload',
      'server-sigterm',
      '--iterations',
      '50',
      '--only-iteration',
      '3',
    ],
    stderr: ['--only-iteration cannot be combined with --iterations'],
  },
  {
    name: '--binary with --patches',
    args: [
      'storm',
      '--binary',
      iperf3,
      '--workload',
      'server-sigterm',
      '--patches',
      '{dir}/does-not-apply.patch',
    ],
    stderr: ['--binary cannot be combined with --patches'],
  },
  {
    name: 'the old --json <file> with --json-file (named as typed, not as a flag that does not exist)',
    args: ['validate', '--json', '{dir}/a.json', '--json-file', '{dir}/b.json'],
    stderr: [
      /^sigstorm: --json <file> cannot be combined with --json-file: it is the old spelling of --json-file/m,
    ],
    notStderr: ['--json-as-file'],
  },
  {
    name: '--out under a file: one line, no ENOTDIR stack',
    args: ['validate', '--out', '{dir}/notes.txt/run'],
    stderr: [/^sigstorm: Cannot use --out \S+\/notes\.txt\/run: \S+\/notes\.txt is a file$/m],
    notStderr: ['ENOTDIR', '    at '],
  },
  {
    name: 'demo --out in /proc, where no directory can be made (ends at once, no mkdir loop)',
    args: ['demo', '--out', '/proc/sigstorm-x/y'],
    stderr: [
      /^sigstorm: Cannot use --out \/proc\/sigstorm-x\/y: \/proc\/sigstorm-x cannot be made \(ENOENT\)$/m,
    ],
  },
  {
    name: '--repro-dir under a file',
    args: ['validate', '--repro-dir', '{dir}/notes.txt/bundle'],
    stderr: ['Cannot use --repro-dir {dir}/notes.txt/bundle: {dir}/notes.txt is a file'],
  },
  {
    name: '--json-file naming a directory',
    args: ['validate', '--json-file', '{dir}'],
    stderr: ['Cannot write --json-file {dir}: it is a directory'],
  },
  {
    name: '--blob under a file',
    args: ['validate', '--shard', '1/2', '--blob', '{dir}/notes.txt/s1.json'],
    stderr: [
      'Cannot write {dir}/notes.txt/s1.json: {dir}/notes.txt is not a writable directory (it is a file)',
    ],
  },
  {
    name: 'storm --out under a file',
    args: ['storm', '--binary', iperf3, '--workload', 'server-sigterm', '--out', '{dir}/notes.txt/r.jsonl'],
    stderr: ['Cannot use --out {dir}/notes.txt/r.jsonl: {dir}/notes.txt is a file'],
  },
  {
    name: 'merge of a blob file that does not exist',
    args: ['merge', '{dir}/no-such-shard-1-of-2.json'],
    stderr: [/^sigstorm: No such blob file: \S+\/no-such-shard-1-of-2\.json$/m],
  },
  {
    name: 'merge of a file that is not a blob',
    args: ['merge', '{dir}/notes.txt'],
    stderr: [/^sigstorm: No shard blob to merge$/m, '{dir}/notes.txt: not JSON'],
  },
  {
    name: '--fail-fast with --no-fail-fast',
    args: ['validate', '--fail-fast', '--no-fail-fast'],
    stderr: [/^sigstorm: --fail-fast cannot be combined with --no-fail-fast/m],
  },
  {
    name: '--config FILE with --no-config',
    args: ['validate', '--config', '{dir}/sigstorm.yml', '--no-config'],
    stderr: [/^sigstorm: --config cannot be combined with --no-config/m],
  },
  {
    name: '--no-config with --config FILE, in a merge',
    args: ['merge', '--no-config', '--config', '{dir}/sigstorm.yml', '{dir}/notes.txt'],
    stderr: [/^sigstorm: --config cannot be combined with --no-config/m, 'sigstorm merge --help'],
  },
  {
    name: '--blob without --shard',
    args: ['validate', '--blob', '{dir}/s1.json'],
    stderr: [/^sigstorm: --blob needs --shard: only a shard writes a blob$/m],
  },
  {
    name: 'credentials in a --repo URL (the secret is not repeated)',
    args: ['validate', '--repo', 'http://user:hunter2-secret@127.0.0.1:9/x.git'],
    stderr: [
      /^sigstorm: --repo has credentials in its URL, .*SIGSTORM_GIT_USERNAME and SIGSTORM_GIT_PASSWORD in the environment$/m,
    ],
    notStderr: ['hunter2-secret'],
  },
  {
    name: 'credentials in a --repo URL, in a build',
    args: ['build', '--repo', 'https://x-access-token:hunter2-secret@127.0.0.1:9/x.git'],
    stderr: ['--repo has credentials in its URL'],
    notStderr: ['hunter2-secret'],
  },
  {
    name: 'two unknown config keys, each at its own line',
    args: ['validate', '--config', '{dir}/two-unknown.yml'],
    stderr: [
      '{dir}/two-unknown.yml:3:1: foo: unknown field',
      '{dir}/two-unknown.yml:6:1: bar: unknown field',
    ],
  },
  {
    name: 'a report file in a directory that does not exist',
    args: ['validate', '--json-file', '{dir}/missing/report.json'],
    stderr: ['Cannot write {dir}/missing/report.json'],
  },
  {
    name: 'a workload a config names that does not exist, at its line',
    args: ['validate', '--config', '{dir}/sigstorm.yml'],
    stderr: ['{dir}/sigstorm.yml:3:5: workloads[1]: Unknown workload "server-sigtrem"'],
  },
  {
    name: 'an unknown workload',
    args: ['storm', '--binary', iperf3, '--workload', 'no-such-workload'],
    stderr: ['Unknown workload "no-such-workload"'],
  },
  {
    name: 'an unknown variant',
    args: ['build', '--variants', 'plain,msan'],
    stderr: ['Unknown variant in --variants: msan (valid: plain, asan, tsan)'],
  },
  {
    name: 'a number that is not one',
    args: ['validate', '--iterations', 'many'],
    stderr: ['--iterations must be a number'],
  },
  {
    name: 'a zero budget',
    args: ['validate', '--budget', '0'],
    stderr: ['--budget must be longer than 0'],
  },
  {
    name: 'a missing patch file',
    args: ['validate', '--base-patches', '{dir}/nope.patch'],
    stderr: ['Patch file not found: {dir}/nope.patch'],
  },
];

describe.concurrent('bad input: exit 2, one message, nothing built, no output folder', () => {
  for (const entry of cases) {
    it(entry.name, async () => {
      const cache = join(dir, `cache-${cases.indexOf(entry)}`);
      const args = entry.args.map((arg) => arg.replaceAll('{dir}', dir));
      const result = await execa('node', [cli, ...args], {
        cwd: installRoot,
        env: { SIGSTORM_CACHE_DIR: cache },
        reject: false,
        timeout: 110_000,
      });
      expect(result.exitCode, result.stderr).toBe(2);
      for (const pattern of entry.stderr) {
        if (typeof pattern === 'string') expect(result.stderr).toContain(pattern.replaceAll('{dir}', dir));
        else expect(result.stderr).toMatch(pattern);
      }
      for (const pattern of entry.notStderr ?? []) {
        if (typeof pattern === 'string') expect(result.stderr).not.toContain(pattern);
        else expect(result.stderr).not.toMatch(pattern);
      }
      expect(result.stdout).toBe('');
      // Nothing was built and no run or storm folder was made: the cache holds at most exported trees.
      const made = await readdir(cache).catch(() => []);
      expect(made.filter((name) => name !== 'trees')).toEqual([]);
    });
  }
});

describe('could not run: exit 1, the cause first', () => {
  it('a failed build leads with the compiler error, then what failed, then the kept log', async () => {
    const cache = join(dir, 'cache-broken');
    const result = await execa(
      'node',
      [cli, 'build', '--repo', join(dir, 'broken-build'), '--variants', 'plain', '--binary', 'hello'],
      { cwd: installRoot, env: { SIGSTORM_CACHE_DIR: cache }, reject: false, timeout: 110_000 },
    );
    expect(result.exitCode, result.stderr).toBe(1);
    const lines = result.stderr.split('\n').filter((line) => !line.startsWith('sigstorm build:'));
    expect(lines[0]).toMatch(/^sigstorm: hello\.c:\d+:\d+: error: expected ';' before 'return'$/);
    expect(lines[1]).toMatch(
      /Build of .*broken-build \(working copy\) \(variant plain\) failed at make: `make -j\d+/,
    );
    const log = /^ {2}full log: (\S+)$/.exec(lines[2] ?? '')?.[1];
    expect(log, result.stderr).toBeDefined();
    await access(log ?? '');
    expect(await readFile(log ?? '', 'utf8')).toContain("error: expected ';' before 'return'");
    expect(result.stderr).not.toContain('/.tmp/');
  });
});

describe('help', () => {
  it.concurrent.each(['build', 'storm', 'validate', 'bisect', 'repro', 'demo', 'serve'])(
    '`%s --help` ends with examples and where the docs are',
    async (command) => {
      const result = await execa('node', [cli, command, '--help'], { reject: false, timeout: 110_000 });
      expect(result.exitCode).toBe(0);
      const tail = result.stdout.slice(result.stdout.indexOf('Examples:'));
      expect(tail.match(/^ {2}\$ .*\bsigstorm /gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
      expect(tail).toMatch(/^Exit status: /m);
      expect(tail.trimEnd().split('\n').at(-1)).toMatch(/^Docs: \/\S+\/docs\/[a-z-]+\.md$/);
      const doc = /^Docs: (\S+)$/m.exec(tail)?.[1] ?? '';
      await access(doc);
    },
  );

  it('the top-level help points to the docs and SIGSTORM_CACHE_DIR', async () => {
    const result = await execa('node', [cli, '--help'], { reject: false, timeout: 110_000 });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('$SIGSTORM_CACHE_DIR');
    expect(result.stdout).toMatch(/^Docs: .*\/docs\/$/m);
  });
});
