import { execa } from 'execa';

let identity: Promise<string> | undefined;

/** Versions of autoconf, automake and libtool: generated `configure` scripts depend on them. */
export function autotoolsIdentity(): Promise<string> {
  identity ??= Promise.all(
    ['autoconf', 'automake', 'libtoolize'].map(async (tool) => {
      const result = await execa(tool, ['--version'], { reject: false, stdin: 'ignore' });
      return result.exitCode === 0 ? (result.stdout.split('\n')[0] ?? tool) : `${tool}: missing`;
    }),
  ).then((lines) => lines.join('; '));
  return identity;
}
