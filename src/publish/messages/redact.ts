import { fence } from '../../report/markdown/escape.js';

/**
 * The one filter for everything sigstorm posts where the public can read it (PR comments, check
 * runs) and for its own logs: the App's secret values, GitHub token patterns, private keys and
 * credentials in URLs. A pull request's build log may print anything; what it prints passes here.
 */

const secrets = new Set<string>();

/** Values shorter than this are too common to replace safely (and too short to be a real secret). */
const minimumSecretLength = 8;

/** Registers a value never to be shown (the webhook secret, the private key), once at start-up. */
export function registerSecret(value: string): void {
  const trimmed = value.trim();
  if (trimmed.length < minimumSecretLength) return;
  secrets.add(trimmed);
  // A key's body lines leak on their own too (a `head -3 key.pem` in a build log).
  for (const line of trimmed.split(/\r?\n/)) {
    const part = line.trim();
    if (part.length >= 16 && !part.startsWith('-----')) secrets.add(part);
  }
}

/** For tests: forget registered secrets. */
export function clearSecrets(): void {
  secrets.clear();
}

const tokenPattern = /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g;
const privateKeyPattern =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----)?/g;
const urlCredentials = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi;

export function redact(text: string): string {
  let out = text
    .replace(privateKeyPattern, '[redacted private key]')
    .replace(tokenPattern, '[redacted token]')
    .replace(urlCredentials, '$1');
  // Longest first, so a key line inside a longer registered value is not cut in two.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    out = out.replaceAll(secret, '[redacted]');
  }
  return out;
}

/**
 * Text the pull request's code wrote (a build log's tail, a failure cause quoting it), as it may
 * appear on GitHub: redacted, in a fence longer than any backtick run inside it, so a line of
 * backticks cannot end the block. Every path that quotes such text (check summaries, the comment,
 * a stored failure cause completed later by the repair pass) quotes it through here; the GitHub
 * writers (check runs, comments, replies) redact once more whatever reaches them.
 */
export function quotedUntrusted(text: string): string {
  return fence(redact(text));
}
