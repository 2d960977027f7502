/**
 * What the code under test can read about where it runs: its environment, its own mount table (as
 * mountinfo and as mounts), and for every process it can see (/proc/[0-9]*), its command line,
 * environment, working directory, open files, mountinfo and mounts. A shell script (sh) that prints
 * it all, and a reader of its output for a host path.
 */
export const canaryScript = [
  'echo "CWD $(pwd) PWD=$PWD"',
  "env | sed 's/^/ENV /'",
  "sed 's/^/SELF-MOUNTINFO /' /proc/self/mountinfo",
  "sed 's/^/SELF-MOUNTS /' /proc/self/mounts",
  'for p in /proc/[0-9]*; do',
  "  echo \"PROC $p cmdline $(tr '\\000' ' ' < $p/cmdline 2>/dev/null)\"",
  "  echo \"PROC $p environ $(tr '\\000' ' ' < $p/environ 2>/dev/null)\"",
  '  echo "PROC $p cwd $(readlink $p/cwd 2>/dev/null)"',
  '  echo "PROC $p root $(readlink $p/root 2>/dev/null)"',
  '  for f in $p/fd/*; do echo "PROC $p fd $(readlink $f 2>/dev/null)"; done',
  '  sed "s|^|MOUNTINFO $p |" $p/mountinfo 2>/dev/null',
  '  sed "s|^|MOUNTS $p |" $p/mounts 2>/dev/null',
  'done',
  'echo CANARY-DONE',
].join('\n');

/** The lines of the script's output that contain `hostPath`: none, anywhere (docs/security.md, Paths). */
export function hostPathSightings(output: string, hostPath: string): string[] {
  return output.split('\n').filter((line) => line.includes(hostPath));
}

/** The mount table lines the script read of itself (so a test sees it read them, and the tree's). */
export function ownMounts(output: string): { mountinfo: string[]; mounts: string[] } {
  const lines = output.split('\n');
  const after = (tag: string) => lines.filter((l) => l.startsWith(tag)).map((l) => l.slice(tag.length));
  return { mountinfo: after('SELF-MOUNTINFO '), mounts: after('SELF-MOUNTS ') };
}

/** How many processes the script looked at (so a test sees it read more than itself). */
export function processesSeen(output: string): number {
  return new Set([...output.matchAll(/^PROC (\S+) cmdline/gm)].map((m) => m[1])).size;
}
