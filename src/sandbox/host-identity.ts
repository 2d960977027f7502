import { z } from 'zod';
import { UsageError } from '../util/errors.js';

/** The variable that names the sandbox's host id when sigstorm runs as root. */
export const sandboxUidVariable = 'SIGSTORM_SANDBOX_UID';

/** A uid and gid that are not root's; nobody's (65534) by default. */
export const SandboxHostId = z
  .string()
  .regex(/^\d{1,10}(:\d{1,10})?$/, 'must be UID or UID:GID (whole numbers)')
  .default('65534')
  .transform((text) => {
    const [uid = '', gid = uid] = text.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  })
  .refine(({ uid, gid }) => [uid, gid].every((id) => id >= 1 && id <= 4_294_967_294), {
    message: 'must be between 1 and 4294967294: never root (0), nor the kernel\'s "no id" (4294967295)',
  })
  .describe('host uid[:gid] the sandbox runs as when sigstorm runs as root (gid: the uid by default)');
export type SandboxHostId = z.output<typeof SandboxHostId>;

/**
 * Who root's sandbox is on the host, from SIGSTORM_SANDBOX_UID (unset or empty: nobody, 65534).
 * An unprivileged caller's sandbox is that caller (bwrap maps its uid, nothing else). Root's sandbox
 * is never root: bwrap itself runs as this unprivileged id (setpriv), so the sandbox's user namespace
 * maps to it and host uid 0 is mapped nowhere inside. A dedicated user that owns nothing and runs
 * nothing else is best; nobody is the default because it exists everywhere.
 */
export function sandboxHostIdFromEnv(env: NodeJS.ProcessEnv): SandboxHostId {
  const text = env[sandboxUidVariable];
  const parsed = SandboxHostId.safeParse(text === '' ? undefined : text);
  if (parsed.success) return parsed.data;
  throw new UsageError(`Invalid ${sandboxUidVariable} "${text}".`, {
    details: parsed.error.issues.map((issue) => `- ${sandboxUidVariable} ${issue.message}`).join('\n'),
    hint: `Set ${sandboxUidVariable} to an unprivileged user's id (a dedicated one: useradd --system sigstorm-sandbox; id -u sigstorm-sandbox), or unset it for nobody (65534).`,
  });
}

/** Root's sandbox's host id, as the environment says now. */
export function sandboxHostId(): SandboxHostId {
  return sandboxHostIdFromEnv(process.env);
}

export function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** `chown` argument that hands a tree to the sandbox's host id (root only). */
export function sandboxOwner(): string {
  const { uid, gid } = sandboxHostId();
  return `${uid}:${gid}`;
}
