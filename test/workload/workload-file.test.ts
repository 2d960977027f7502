import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/util/errors.js';
import {
  listWorkloadNames,
  loadWorkloadSet,
  parseWorkload,
  resolveStormWorkload,
  resolveWorkload,
} from '../../src/workload/load.js';
import { FileSchemaError } from '../../src/workload/parse-yaml-file.js';
import { judgedSide } from '../../src/workload/schema.js';
import { expandArgs } from '../../src/workload/template.js';

function problemsOf(text: string, file = '/w/bad.yaml') {
  try {
    parseWorkload(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(FileSchemaError);
    expect(error).toBeInstanceOf(UsageError);
    return (error as FileSchemaError).problems.map((p) => `${p.line}:${p.column} ${p.path} ${p.reason}`);
  }
  throw new Error('expected the workload to be rejected');
}

describe('bundled workloads', () => {
  it('every file parses, and the names the issue requires exist', async () => {
    const names = await listWorkloadNames();
    for (const name of names) {
      const { workload } = await resolveWorkload(name);
      expect(workload.name).toBe(name);
    }
    expect(names).toEqual(
      expect.arrayContaining(['server-burst', 'client-burst', 'server-sigterm', 'peer-killed', 'throughput']),
    );
  });

  it('the default set covers SIGTERM, SIGINT and SIGHUP on both sides, single, double, burst, idle, a lost peer on both sides', async () => {
    const set = await loadWorkloadSet();
    const storms = await Promise.all(set.map(async (name) => (await resolveStormWorkload(name)).workload));
    const signals = new Set(storms.flatMap((w) => w.signal.pattern.map((s) => `${w.signal.to}:${s.signal}`)));
    for (const expected of [
      'server:SIGTERM',
      'server:SIGINT',
      'server:SIGHUP',
      'client:SIGTERM',
      'client:SIGINT',
    ]) {
      expect(signals).toContain(expected);
    }
    expect(storms.some((w) => w.signal.pattern.length === 2)).toBe(true);
    expect(storms.some((w) => w.signal.pattern.length >= 3)).toBe(true);
    expect(storms.some((w) => w.at.moment === 'idle')).toBe(true);
    const peerStalled = storms.find((w) => w.name === 'peer-stalled');
    expect(peerStalled?.signal.to).toBe('client');
    expect(peerStalled && judgedSide(peerStalled)).toBe('server');
    expect(peerStalled?.client.args).toContain('-R');
    // The sending client loses its server: stopped, the server killed, continued.
    const peerLost = storms.find((w) => w.name === 'client-peer-lost');
    expect(peerLost && judgedSide(peerLost)).toBe('client');
    expect(peerLost?.signal.pattern.map((s) => `${s.to ?? peerLost.signal.to}:${s.signal}`)).toEqual([
      'client:SIGSTOP',
      'server:SIGKILL',
      'client:SIGCONT',
    ]);
    // Rate-limited streams, so that lanes do not starve each other.
    for (const w of storms) expect(w.client.args).toContain('-b {rate}');
  });

  it('fills defaults from the schema', () => {
    const w = parseWorkload(
      'kind: storm\nname: mini\ndescription: d\nsignal:\n  to: client\n  pattern:\n    - signal: SIGINT\n',
      '/w/mini.yaml',
    );
    if (w.kind !== 'storm') throw new Error('expected a storm');
    expect(w.server.args).toBe('-s -1 -p {port}');
    expect(w.at).toEqual({ moment: 'established', delayMs: [50, 400] });
    expect(w.signal.pattern[0]?.afterMs).toEqual([0, 0]);
    expect(w.cleanExitCodes).toEqual([0, 1]);
    expect(w.pin).toBe('none');
    expect(w.peer.exits).toBe('on-its-own');
    expect(judgedSide(w)).toBe('client');
  });

  it('expands argument templates', () => {
    const args = expandArgs('-c {host}  -p {port} -P {streams} -t {seconds} -b {rate} -R', {
      host: '127.0.0.1',
      port: '20100',
      streams: '4',
      seconds: '3',
      rate: '100M',
    });
    expect(args).toEqual(['-c', '127.0.0.1', '-p', '20100', '-P', '4', '-t', '3', '-b', '100M', '-R']);
  });
});

describe('invalid workload files name the line, the field and the reason', () => {
  it('wrong signal, reversed window, unknown field, missing field, bad moment, unknown placeholder', () => {
    const text = [
      'kind: storm', //                      1
      'name: bad', //                        2
      'description: d', //                   3
      'signal:', //                          4
      '  to: server', //                     5
      '  pattern:', //                       6
      '    - signal: SIGTERM', //            7
      '    - signal: SIGFOO', //             8
      '      afterMs: [5, 1]', //            9
      '    - signl: SIGINT', //              10
      'at:', //                              11
      '  moment: soon', //                   12
      'client:', //                          13
      '  args: -c {hots} -p {port}', //      14
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(/^8:15 signal\.pattern\[1\]\.signal .*SIGTERM/),
      expect.stringMatching(/^9:16 signal\.pattern\[1\]\.afterMs .*min <= max/),
      expect.stringMatching(/^10:7 signal\.pattern\[2\]\.signal missing required field signal/),
      expect.stringMatching(/^10:7 signal\.pattern\[2\]\.signl unknown field signl/),
      expect.stringMatching(/^12:11 at\.moment .*established/),
      expect.stringMatching(/^14:9 client\.args unknown placeholder \{hots\}/),
    ]);
  });

  it('two unknown fields of one map, each at its own line', () => {
    const text =
      'kind: storm\nname: bad\ndescription: d\nstreems: 2\nsignal:\n  to: server\n  pattern: [{ signal: SIGTERM }]\nsecs: 3\n';
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(/^4:1 streems unknown field streems/),
      expect.stringMatching(/^8:1 secs unknown field secs/),
    ]);
  });

  it('the message itself carries file, line, column and path', () => {
    try {
      parseWorkload(
        'kind: storm\nname: bad\ndescription: d\nsignal:\n  to: sever\n  pattern: []\n',
        '/w/bad.yaml',
      );
      throw new Error('expected a rejection');
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toMatch(/^Invalid workload file: \/w\/bad\.yaml:5:7: signal\.to: /);
      expect((error as FileSchemaError).hint).toContain('docs/workloads.md');
    }
  });

  it('YAML syntax errors are located too', () => {
    expect(problemsOf('kind: storm\nname: bad\nsignal: [unclosed\n')[0]).toMatch(/^[34]:\d+ {2}/);
  });

  it('idle workloads cannot signal the client', () => {
    const text =
      'kind: storm\nname: bad\ndescription: d\nsignal:\n  to: client\n  pattern:\n    - signal: SIGTERM\nat:\n  moment: idle\n';
    expect(problemsOf(text)).toEqual([expect.stringMatching(/^9:11 at\.moment idle has no client/)]);
  });

  it('the name must match the file name', () => {
    const text =
      'kind: storm\nname: other\ndescription: d\nsignal:\n  to: client\n  pattern:\n    - signal: SIGTERM\n';
    expect(problemsOf(text, '/w/mine.yaml')).toEqual([
      expect.stringMatching(/^2:7 name name "other" must equal/),
    ]);
  });
});

describe('workload lookup', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sigstorm-workloads-'));
    await writeFile(
      join(dir, 'mine.yaml'),
      'kind: storm\nname: mine\ndescription: d\nsignal:\n  to: server\n  pattern:\n    - signal: SIGHUP\n',
    );
    await writeFile(join(dir, 'sets.yaml'), 'default:\n  - mine\nbroken:\n  - mine\n  - nothere\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds a workload by name in a directory or by path', async () => {
    expect((await resolveWorkload('mine', dir)).workload.name).toBe('mine');
    expect((await resolveWorkload(join(dir, 'mine.yaml'))).workload.name).toBe('mine');
  });

  it('an unknown name lists the known ones', async () => {
    await expect(resolveWorkload('nope', dir)).rejects.toMatchObject({
      message: 'Unknown workload "nope"',
      hint: expect.stringContaining('mine'),
    });
  });

  it('a set naming a missing workload is rejected at its line', async () => {
    await expect(loadWorkloadSet('default', dir)).rejects.toMatchObject({
      problems: [expect.objectContaining({ line: 5, path: 'broken[1]' })],
    });
  });

  it('throughput definitions are not storms', async () => {
    await expect(resolveStormWorkload('throughput')).rejects.toThrow(/not a storm/);
  });
});
