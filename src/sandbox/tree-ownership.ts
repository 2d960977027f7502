import { execa } from 'execa';
import { runsAsRoot, sandboxOwner } from './host-identity.js';

/**
 * A sandboxed step writes its tree as the sandbox's host id: as root, the tree is handed to that id
 * before the step (nobody else's files change hands) and taken back after it.
 */
export async function handToSandbox(paths: readonly string[]): Promise<void> {
  if (!runsAsRoot() || paths.length === 0) return;
  // -R without -L never follows a symlink; -h changes a symlink itself, not what it names.
  await execa('chown', ['-R', '-h', sandboxOwner(), '--', ...paths], { stdin: 'ignore' });
}

/**
 * Takes a tree back from a step that has ended (its pid namespace with it: nothing in it runs any
 * more): owned by sigstorm's own user again, and nothing in it setuid or setgid. As root the chown
 * also drops every file capability (the kernel clears security.capability and the set-id bits on a
 * change of owner); `chmod ug-s` then covers what a chown keeps (directories, and unprivileged callers).
 */
export async function takeBack(paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  if (runsAsRoot()) {
    const owner = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
    await execa('chown', ['-R', '-h', owner, '--', ...paths], { stdin: 'ignore' });
  }
  await execa(
    'find',
    ['-P', ...paths, '!', '-type', 'l', '-perm', '/6000', '-exec', 'chmod', 'ug-s', '{}', '+'],
    {
      stdin: 'ignore',
    },
  );
}
