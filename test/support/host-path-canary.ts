/**
 * What the code under test can read about where it runs: its environment, and for every process it
 * can see (/proc/[0-9]*), its command line, environment, working directory, open files and
 * mountinfo. A shell script (sh) that prints it all, and a reader of its output for a host path.
 */
export const canaryScript = [
  'echo "CWD $(pwd) PWD=$PWD"',
  "env | sed 's/^/ENV /'",
  'for p in /proc/[0-9]*; do',
  "  echo \"PROC $p cmdline $(tr '\\000' ' ' < $p/cmdline 2>/dev/null)\"",
  "  echo \"PROC $p environ $(tr '\\000' ' ' < $p/environ 2>/dev/null)\"",
  '  echo "PROC $p cwd $(readlink $p/cwd 2>/dev/null)"',
  '  echo "PROC $p root $(readlink $p/root 2>/dev/null)"',
  '  for f in $p/fd/*; do echo "PROC $p fd $(readlink $f 2>/dev/null)"; done',
  '  sed "s|^|MOUNTINFO $p |" $p/mountinfo 2>/dev/null',
  'done',
  'echo CANARY-DONE',
].join('\n');

/**
 * The lines of the script's output that contain `hostPath`, but for the one place it is known to
 * appear: the root field (4th) of the mountinfo line of the mount at `mountPoint`, which the kernel
 * gives relative to the filesystem the bound directory lives on (docs/security.md).
 */
export function hostPathSightings(output: string, hostPath: string, mountPoint: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.includes(hostPath))
    .filter((line) => {
      const fields = /^MOUNTINFO \S+ (.*)$/.exec(line)?.[1]?.split(' ');
      if (fields?.[4] !== mountPoint) return true;
      const rest = [...fields.slice(0, 3), ...fields.slice(4)].join(' ');
      return rest.includes(hostPath);
    });
}

/** How many processes the script looked at (so a test sees it read more than itself). */
export function processesSeen(output: string): number {
  return new Set([...output.matchAll(/^PROC (\S+) cmdline/gm)].map((m) => m[1])).size;
}
