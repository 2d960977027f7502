import { describe, expect, it } from 'vitest';
import { probeSandbox } from '../../src/sandbox/probe.js';

describe('the sandbox probe (what sigstorm serve and the CLI check before running anything)', () => {
  it('creates a sandbox on this machine', async () => {
    expect(await probeSandbox()).toEqual({ ok: true });
  });

  it('says what to install when bwrap is missing', async () => {
    const probe = await probeSandbox('/nonexistent/bwrap');
    expect(probe.ok).toBe(false);
    if (probe.ok) return;
    expect(probe.error.message).toMatch(/bubblewrap \(bwrap\) is not installed/);
    expect(probe.error.hint).toMatch(/apt-get install bubblewrap/);
    expect(probe.error.hint).toMatch(/--no-sandbox/);
  });

  it('passes on what bwrap said when it cannot create the sandbox', async () => {
    // `false` stands in for a bwrap that fails (user namespaces disabled): exit 1, nothing created.
    const probe = await probeSandbox('false');
    expect(probe.ok).toBe(false);
    if (probe.ok) return;
    expect(probe.error.message).toMatch(/cannot be created on this machine/);
    expect(probe.error.hint).toMatch(/user\.max_user_namespaces/);
  });
});
