import { describe, expect, it } from 'vitest';
import { commandLines } from '../../src/publish/commands/command-lines.js';

describe('the lines of a comment that can hold a command', () => {
  it('skips fenced code, indented code, quotes and HTML comments', () => {
    const body = [
      'Please try:',
      '```',
      '/sigstorm run',
      '```',
      '~~~~',
      '/sigstorm run',
      '```',
      '/sigstorm run',
      '~~~~',
      '> /sigstorm run',
      '   > /sigstorm run',
      '    /sigstorm run',
      '\t/sigstorm run',
      '<!--',
      '/sigstorm run',
      '-->',
      '<!-- /sigstorm run -->',
      'end',
    ].join('\n');
    expect(commandLines(body)).toEqual(['Please try:', 'end']);
  });

  it('keeps a command after a closed block, and up to three spaces of indentation', () => {
    expect(commandLines('```sh\nx\n```\n/sigstorm rerun\n   /sigstorm help')).toEqual([
      '/sigstorm rerun',
      '   /sigstorm help',
    ]);
  });

  it('an unclosed fence hides everything after it, as GitHub renders it', () => {
    expect(commandLines('```\n/sigstorm run')).toEqual([]);
  });
});
