/**
 * The only variables a tree's code sees, whatever the App or the user has in their environment
 * (PRIVATE_KEY, WEBHOOK_SECRET, tokens…): values that are no secret, from an allow-list.
 */
const passedThrough = ['LANG', 'TZ'] as const;

/** The system's own directories: the host's PATH may name homes and tool caches that stay outside. */
export const sandboxPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Variables sigstorm itself sets for a step may only be these (sanitizer options, make's, the compiler's). */
const settable =
  /^(?:[ATLU]SAN_OPTIONS|UBSAN_OPTIONS|MAKEFLAGS|MFLAGS|MAKELEVEL|NOCONFIGURE|LC_ALL|CC|CFLAGS|LDFLAGS)$/;

export function allowedEnv(
  own: Readonly<Record<string, string>> = {},
  host: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = { PATH: sandboxPath, LC_ALL: 'C' };
  for (const name of passedThrough) {
    const value = host[name];
    if (value !== undefined && value !== '') env[name] = value;
  }
  // Tools that want a home (git, gdb, ccache) get the private /tmp, never the App's home.
  env.HOME = '/tmp';
  env.TMPDIR = '/tmp';
  for (const [name, value] of Object.entries(own)) {
    if (!settable.test(name)) throw new Error(`sigstorm does not pass ${name} to sandboxed code`);
    env[name] = value;
  }
  return env;
}
