// Changes of our own to a real iperf3 tree (esnet/iperf 3.16+ or a fork that keeps its file layout),
// each on a branch of a temporary clone, for the benches that validate real iperf3
// (census-findings, whole-validation). The checkout itself is only read (git clone).
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IperfChange {
  /** The branch name. */
  readonly name: string;
  /** What it changes, as the commit message and the bench's rows say it. */
  readonly what: string;
  /** File → its text changed; throws when the tree does not have what the change edits. */
  readonly edit: Readonly<Record<string, (text: string) => string>>;
}

export function replaceOnce(text: string, from: string | RegExp, to: string, file: string): string {
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: ${String(from)} not found: not an iperf3 3.16+ tree?`);
  return next;
}

/**
 * A clone of `checkout` at `ref` with one branch per change (named after it), in a temporary
 * directory the caller removes.
 */
export async function iperfBranches(
  checkout: string,
  ref: string,
  picked: readonly IperfChange[],
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sigstorm-iperf-bench-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', ...args], {
      stdio: 'pipe',
    });
  execFileSync('git', ['clone', '--quiet', checkout, dir]);
  for (const change of picked) {
    git('checkout', '--quiet', '-B', change.name, ref);
    for (const [file, edit] of Object.entries(change.edit)) {
      await writeFile(join(dir, file), edit(await readFile(join(dir, file), 'utf8')));
    }
    git('commit', '--quiet', '-am', change.what);
  }
  return dir;
}
