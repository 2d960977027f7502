import { describe, expect, it } from 'vitest';
import { sandboxHostIdFromEnv } from '../../src/sandbox/host-identity.js';
import { sandboxLimitsFromEnv } from '../../src/sandbox/limits-env.js';
import { UsageError } from '../../src/util/errors.js';

describe("SIGSTORM_SANDBOX_UID (who root's sandbox is on the host)", () => {
  it('is nobody (65534) when unset or empty', () => {
    expect(sandboxHostIdFromEnv({})).toEqual({ uid: 65534, gid: 65534 });
    expect(sandboxHostIdFromEnv({ SIGSTORM_SANDBOX_UID: '' })).toEqual({ uid: 65534, gid: 65534 });
  });

  it('takes a uid (the gid is the same number) or uid:gid', () => {
    expect(sandboxHostIdFromEnv({ SIGSTORM_SANDBOX_UID: '990' })).toEqual({ uid: 990, gid: 990 });
    expect(sandboxHostIdFromEnv({ SIGSTORM_SANDBOX_UID: '990:991' })).toEqual({ uid: 990, gid: 991 });
  });

  it.each([
    ['0', /never root/],
    ['990:0', /never root/],
    ['4294967295', /never root/],
    ['nobody', /UID or UID:GID/],
    ['-5', /UID or UID:GID/],
  ])('refuses %s, saying what it must be', (value, reason) => {
    let thrown: unknown;
    try {
      sandboxHostIdFromEnv({ SIGSTORM_SANDBOX_UID: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).message).toBe(`Invalid SIGSTORM_SANDBOX_UID "${value}".`);
    expect((thrown as UsageError).details).toMatch(reason);
    expect((thrown as UsageError).hint).toMatch(/useradd --system/);
  });

  it('is checked at start with the limits, every mistake at once', () => {
    expect(() =>
      sandboxLimitsFromEnv({ SIGSTORM_SANDBOX_UID: '0', SIGSTORM_SANDBOX_PROCESSES: 'many' }),
    ).toThrow(UsageError);
    try {
      sandboxLimitsFromEnv({ SIGSTORM_SANDBOX_UID: '0', SIGSTORM_SANDBOX_PROCESSES: 'many' });
    } catch (error) {
      const details = (error as UsageError).details ?? '';
      expect(details).toContain('SIGSTORM_SANDBOX_PROCESSES must be a whole number');
      expect(details).toContain('SIGSTORM_SANDBOX_UID must be between 1 and 4294967294');
    }
  });
});
