import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellsToBisect } from '../../src/publish/commands/bisect-command.js';
import { commands, helpLines, usage } from '../../src/publish/commands/command-table.js';
import { parseComment } from '../../src/publish/commands/parse-command.js';
import { helpReply } from '../../src/publish/messages/replies.js';
import { installRoot } from '../../src/util/paths.js';

const workloads = ['server-sigterm', 'client-burst'];

describe('slash command parsing', () => {
  it('ignores comments without a /sigstorm line, and quoted ones', () => {
    expect(parseComment('LGTM, thanks!', workloads)).toEqual({ kind: 'none' });
    expect(parseComment('> /sigstorm run', workloads)).toEqual({ kind: 'none' });
    expect(parseComment('use `/sigstorm run` later', workloads)).toEqual({ kind: 'none' });
  });

  it('a command inside a fenced code block or an indented block is not a command; one after it is', () => {
    expect(parseComment('How to approve:\n```\n/sigstorm run\n```', workloads)).toEqual({ kind: 'none' });
    expect(parseComment('~~~\n/sigstorm run\n~~~\n    /sigstorm run', workloads)).toEqual({ kind: 'none' });
    expect(parseComment('```\n/sigstorm run\n```\n/sigstorm cancel', workloads)).toMatchObject({
      kind: 'command',
      command: { name: 'cancel' },
    });
  });

  it('reads run with every argument, from any line of the comment', () => {
    const parsed = parseComment(
      'Looks risky.\n/sigstorm run workloads=server-sigterm,client-burst iterations=200 variants=plain,asan\nthanks',
      workloads,
    );
    expect(parsed).toEqual({
      kind: 'command',
      text: '/sigstorm run workloads=server-sigterm,client-burst iterations=200 variants=plain,asan',
      command: {
        name: 'run',
        workloads: ['server-sigterm', 'client-burst'],
        iterations: 200,
        variants: ['plain', 'asan'],
      },
    });
  });

  it('reads the commands without arguments', () => {
    for (const name of ['rerun', 'cancel', 'help'] as const) {
      expect(parseComment(`/sigstorm ${name}`, workloads)).toMatchObject({
        kind: 'command',
        command: { name },
      });
    }
    expect(parseComment('/sigstorm run', workloads)).toMatchObject({
      kind: 'command',
      command: { name: 'run' },
    });
  });

  it('says what is wrong with a bad run, every problem at once', () => {
    expect(parseComment('/sigstorm run iterations=lots', workloads)).toEqual({
      kind: 'invalid',
      text: '/sigstorm run iterations=lots',
      problems: ['iterations must be a whole number, not "lots"'],
    });
    const parsed = parseComment(
      '/sigstorm run workloads=server-sigterm,nope variants=msan iterations=20001 speed=fast x',
      workloads,
    );
    expect(parsed.kind === 'invalid' && parsed.problems).toEqual([
      '"x" is not key=value',
      'unknown workload "nope" (known: server-sigterm, client-burst)',
      'unknown variant "msan" (known: plain, asan, tsan)',
      'iterations may be at most 20000',
      'unknown argument speed (arguments: workloads, iterations, variants)',
    ]);
  });

  it('reads bisect with the cells it names, and no iteration count', () => {
    expect(parseComment('/sigstorm bisect', workloads)).toEqual({
      kind: 'command',
      text: '/sigstorm bisect',
      command: { name: 'bisect' },
    });
    expect(
      parseComment('/sigstorm bisect workloads=client-burst variants=plain,asan', workloads),
    ).toMatchObject({
      kind: 'command',
      command: { name: 'bisect', workloads: ['client-burst'], variants: ['plain', 'asan'] },
    });
    const parsed = parseComment('/sigstorm bisect workloads=nope iterations=5', workloads);
    expect(parsed.kind === 'invalid' && parsed.problems).toEqual([
      'unknown workload "nope" (known: server-sigterm, client-burst)',
      'unknown argument iterations (arguments: workloads, variants)',
    ]);
    // What a bisection storms: the workloads named (their variants, else the config's), else a regression's cells.
    const regressed = {
      workloads: ['client-burst'],
      variants: ['plain' as const],
      observedRise: { plain: 0.4 },
    };
    expect(cellsToBisect({}, undefined)).toBeUndefined();
    expect(cellsToBisect({ variants: ['asan'] }, undefined)).toBeUndefined();
    expect(cellsToBisect({}, regressed)).toEqual(regressed);
    expect(cellsToBisect({ variants: ['asan'] }, regressed)).toEqual({ ...regressed, variants: ['asan'] });
    expect(cellsToBisect({ workloads: ['server-sigterm'] }, regressed)).toEqual({
      workloads: ['server-sigterm'],
    });
  });

  it('caps iterations at both ends and refuses repeated keys and unknown commands', () => {
    expect(parseComment('/sigstorm run iterations=0', workloads)).toMatchObject({
      problems: ['iterations must be at least 1'],
    });
    expect(parseComment('/sigstorm run iterations=20000', workloads)).toMatchObject({
      command: { iterations: 20000 },
    });
    expect(parseComment('/sigstorm run iterations=5 iterations=6', workloads)).toMatchObject({
      problems: ['iterations is given twice'],
    });
    expect(parseComment('/sigstorm deploy', workloads)).toMatchObject({
      problems: ['unknown command "deploy"'],
    });
    expect(parseComment('/sigstorm', workloads)).toMatchObject({
      problems: ['a command is missing after /sigstorm'],
    });
    expect(parseComment('/sigstorm cancel now', workloads)).toMatchObject({
      problems: ['"cancel" takes no arguments'],
    });
  });
});

describe('the command table', () => {
  it('is what the parser accepts, and what the usage, the help reply and docs/github-app.md list', async () => {
    const docs = await readFile(join(installRoot, 'docs', 'github-app.md'), 'utf8');
    expect(docs).toContain(`\`\`\`\n${usage()}\n\`\`\``);
    const help = helpReply('maya', usage(), helpLines(), ['server-burst']);
    for (const command of commands) {
      expect(parseComment(`/sigstorm ${command.name}`, workloads)).toMatchObject({
        kind: 'command',
        command: { name: command.name },
      });
      expect(help).toContain(`\`${command.name}\`:`);
      expect(docs).toContain(`- \`${command.name}\` `);
    }
  });
});
