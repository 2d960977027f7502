import { execa } from 'execa';

/** Bytes the directories use on disk, by `du` (allocated blocks, one file system). */
export async function diskUsage(dirs: readonly string[]): Promise<number> {
  if (dirs.length === 0) return 0;
  const du = await execa('du', ['-s', '-x', '-B1', '-c', ...dirs], { reject: false, stdin: 'ignore' });
  const total = /^(\d+)\s+total$/m.exec(du.stdout)?.[1];
  return total === undefined ? 0 : Number(total);
}

/**
 * Watches what a step adds to into its directories and calls `onExceeded` once when it passes
 * `limitBytes` (RLIMIT_FSIZE already bounds each file; this bounds their sum, to within one poll).
 */
export function watchDisk(
  dirs: readonly string[],
  limitBytes: number,
  onExceeded: (usedBytes: number) => void,
  intervalMs = 1000,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // What was there before the step (the tree itself) is not counted.
  const before = diskUsage(dirs);
  const poll = async (): Promise<void> => {
    const used = (await diskUsage(dirs)) - (await before);
    if (stopped) return;
    if (used > limitBytes) {
      stopped = true;
      onExceeded(used);
      return;
    }
    timer = setTimeout(() => void poll(), intervalMs);
  };
  timer = setTimeout(() => void poll(), intervalMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
