import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export type KeyResult =
  | { readonly ok: true; readonly pem: string }
  | { readonly ok: false; readonly problem: string };

const pemHelp =
  "the .pem file from the GitHub App's settings page (Private keys → Generate a private key), BEGIN and END lines included";

/**
 * The App's private key from PRIVATE_KEY (PEM text, also with literal `\n` or base64, as Probot
 * accepts it) or PRIVATE_KEY_PATH, checked to be an RSA private key before any request is signed.
 */
export function readPrivateKey(env: NodeJS.ProcessEnv, cwd = process.cwd()): KeyResult {
  if (env.PRIVATE_KEY) return checkPem(normalise(env.PRIVATE_KEY), 'PRIVATE_KEY');
  if (env.PRIVATE_KEY_PATH) {
    const path = resolve(cwd, env.PRIVATE_KEY_PATH);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code =
        typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'error';
      return {
        ok: false,
        problem: `PRIVATE_KEY_PATH=${env.PRIVATE_KEY_PATH} cannot be read (${code}): set it to the path of ${pemHelp}, readable by this user.`,
      };
    }
    return checkPem(text, `PRIVATE_KEY_PATH (${path})`);
  }
  return {
    ok: false,
    problem: `no private key: set PRIVATE_KEY_PATH to the path of ${pemHelp}, or PRIVATE_KEY to its contents.`,
  };
}

function normalise(value: string): string {
  let text = value.trim();
  if (!text.includes('-----BEGIN') && /^[A-Za-z0-9+/=\s]+$/.test(text)) {
    text = Buffer.from(text, 'base64').toString('utf8');
  }
  return text.replace(/\\n/g, '\n');
}

function checkPem(text: string, source: string): KeyResult {
  try {
    const key = createPrivateKey(text);
    if (key.asymmetricKeyType !== 'rsa') {
      return {
        ok: false,
        problem: `${source} is a ${key.asymmetricKeyType ?? 'non-RSA'} key; GitHub Apps sign with RSA: use ${pemHelp}.`,
      };
    }
    return { ok: true, pem: text };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: `${source} is not a valid PEM private key (${reason}): use ${pemHelp}.` };
  }
}
