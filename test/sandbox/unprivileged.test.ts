/**
 * The sandbox as an unprivileged user (how `sigstorm serve` should run): bwrap creates it without
 * setuid, and nsenter joins it as a storm does. Switching to `nobody` needs root, hence the condition.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { bwrapArgs } from '../../src/sandbox/bwrap-args.js';

const root = process.getuid?.() === 0;

describe.runIf(root)('the sandbox as user nobody (run as root to switch users)', () => {
  it('is created, has only lo and no capability, and a storm-style nsenter joins it', async () => {
    // What bwrapArgs gives an unprivileged caller: no --uid (nobody keeps its own uid).
    const sandbox = bwrapArgs({ writable: [], readOnly: [], cwd: '/tmp', tmpMiB: 64 }).filter(
      (arg, i, all) => arg !== '--uid' && arg !== '--gid' && all[i - 1] !== '--uid' && all[i - 1] !== '--gid',
    );
    const quoted = sandbox.map((arg) => `'${arg}'`).join(' ');
    const script = `
      set -u
      bwrap ${quoted} --info-fd 3 -- sleep 30 3>"$1" &
      holder=$!
      for i in $(seq 200); do grep -q child-pid "$1" 2>/dev/null && break; sleep 0.05; done
      init=$(grep -o '"child-pid": *[0-9]*' "$1" | grep -o '[0-9]*$')
      nsenter -t "$init" -U -m -n -p -i -u --preserve-credentials -r -w -- sh -c \
        'echo uid=$(id -u); grep CapEff /proc/self/status; cat /proc/net/dev; touch /usr/planted 2>/dev/null || echo REFUSED'
      kill "$holder"; wait "$holder" 2>/dev/null || true
    `;
    const info = `/tmp/sigstorm-unprivileged-${process.pid}.info`;
    const result = await execa('runuser', ['-u', 'nobody', '--', 'bash', '-c', script, 'test', info], {
      reject: false,
      timeout: 60_000,
    });
    await execa('rm', ['-f', info]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('uid=65534');
    expect(result.stdout).toMatch(/CapEff:\s+0+\n/);
    expect(result.stdout).toContain('REFUSED');
    const devices = result.stdout.slice(result.stdout.indexOf('Inter-|'));
    const interfaces = [...devices.matchAll(/^\s*([\w.-]+):\s+\d/gm)].map((m) => m[1]);
    expect(interfaces).toEqual(['lo']);
  });
});
