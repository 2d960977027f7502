import { describe, expect, it } from 'vitest';
import { withoutCredentials } from '../../src/source/git.js';

describe('withoutCredentials', () => {
  it('drops an installation token from an https URL', () => {
    expect(withoutCredentials('https://x-access-token:ghs_secret@github.example/o/iperf.git')).toBe(
      'https://github.example/o/iperf.git',
    );
  });

  it('keeps URLs without credentials and scp-like addresses as they are', () => {
    expect(withoutCredentials('https://github.example/o/iperf.git')).toBe(
      'https://github.example/o/iperf.git',
    );
    expect(withoutCredentials('git@github.example:o/iperf.git')).toBe('git@github.example:o/iperf.git');
    expect(withoutCredentials('file:///srv/git/iperf')).toBe('file:///srv/git/iperf');
  });
});
