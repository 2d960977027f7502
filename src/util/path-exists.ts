import { access } from 'node:fs/promises';

/** The path exists and this process may see it (a missing or unreadable path: false, never a throw). */
export function pathExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
