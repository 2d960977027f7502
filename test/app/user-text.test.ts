import { describe, expect, it } from 'vitest';
import { codeSpan, noMentions } from '../../src/publish/messages/user-text.js';

describe('user text in the app comments', () => {
  it('never mentions a person or a team', () => {
    const out = noMentions('/sigstorm @octo-org/security and @maya');
    expect(out).not.toMatch(/@[A-Za-z0-9]/);
    expect(out.replace(/\u200b/g, '')).toBe('/sigstorm @octo-org/security and @maya');
  });

  it('keeps any input inside one code span on one line', () => {
    expect(codeSpan('/sigstorm run')).toBe('`/sigstorm run`');
    expect(codeSpan('a `b` c')).toBe('``a `b` c``');
    expect(codeSpan('`x')).toBe('`` `x ``');
    const broken = codeSpan('run\n\n# heading @team');
    expect(broken).not.toContain('\n');
    expect(broken).not.toMatch(/@[A-Za-z0-9]/);
  });
});
