import { createPublicKey, type KeyObject, randomBytes, verify } from 'node:crypto';

/**
 * GitHub's two kinds of App credentials, checked as GitHub checks them: a JWT signed (RS256) with
 * the App's private key, for `/app/…`; an installation token issued by the stand-in for the rest.
 */
export class AppAuth {
  readonly #appId: number;
  readonly #publicKey: KeyObject;
  readonly #tokens = new Map<string, { installationId: number; expiresAt: number }>();

  constructor(appId: number, publicKeyPem: string) {
    this.#appId = appId;
    this.#publicKey = createPublicKey(publicKeyPem);
  }

  /** Why the `Authorization` header is not a valid App JWT, or undefined when it is. */
  checkJwt(authorization: string | undefined, now = Date.now()): string | undefined {
    const match = /^bearer (.+)$/i.exec(authorization ?? '');
    if (!match?.[1]) return `expected "Authorization: Bearer <JWT>", got ${JSON.stringify(authorization)}`;
    const [header, payload, signature] = match[1].split('.');
    if (!header || !payload || !signature) return 'the JWT does not have three parts';
    const head = decode(header);
    if (head?.alg !== 'RS256') return `the JWT must be signed with RS256, not ${String(head?.alg)}`;
    const valid = verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      this.#publicKey,
      Buffer.from(signature, 'base64url'),
    );
    if (!valid) return "the JWT's signature does not verify with the App's public key";
    const claims = decode(payload);
    if (String(claims?.iss) !== String(this.#appId))
      return `JWT iss is ${String(claims?.iss)}, not the App ID`;
    const seconds = now / 1000;
    const iat = Number(claims?.iat);
    const exp = Number(claims?.exp);
    if (!(iat <= seconds + 60)) return 'JWT iat is in the future';
    if (!(exp > seconds)) return 'JWT has expired';
    if (exp - iat > 660) return 'JWT lives longer than GitHub allows (10 minutes)';
    return undefined;
  }

  issueToken(installationId: number, lifetimeMs = 3_600_000): { token: string; expiresAt: string } {
    const token = `ghs_${randomBytes(18).toString('base64url')}`;
    const expiresAt = Date.now() + lifetimeMs;
    this.#tokens.set(token, { installationId, expiresAt });
    return { token, expiresAt: new Date(expiresAt).toISOString().replace(/\.\d+Z$/, 'Z') };
  }

  /** The installation an `Authorization: token …` header belongs to, or why it is not valid. */
  checkToken(authorization: string | undefined): { installationId: number } | { problem: string } {
    const match = /^(?:token|bearer) (ghs_\S+)$/i.exec(authorization ?? '');
    if (!match?.[1])
      return { problem: `expected an installation token, got ${JSON.stringify(authorization)}` };
    const entry = this.#tokens.get(match[1]);
    if (!entry) return { problem: 'the installation token was never issued' };
    if (entry.expiresAt <= Date.now()) return { problem: 'the installation token has expired' };
    return { installationId: entry.installationId };
  }
}

function decode(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
