import { describe, expect, it } from 'vitest';
import { redactCredentials, withToken } from '../../src/publish/executor/source.js';

describe('clone URLs with the installation token', () => {
  it('puts the token in the URL the pipeline clones, as GitHub expects it', () => {
    expect(withToken('https://github.example/octo-org/iperf3.git', 'ghs_abc')).toBe(
      'https://x-access-token:ghs_abc@github.example/octo-org/iperf3.git',
    );
  });

  it('strips credentials from any URL in text that leaves the host', () => {
    const text =
      'Could not clone https://x-access-token:ghs_abc@github.example/o/r.git (also http://u:p@h:8080/x), see https://github.example/o/r';
    expect(redactCredentials(text)).toBe(
      'Could not clone https://github.example/o/r.git (also http://h:8080/x), see https://github.example/o/r',
    );
  });
});
