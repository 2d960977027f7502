import { execa } from 'execa';
import { SigstormError } from '../util/errors.js';

/**
 * Writes the content of `treeish` (`<commit>` or `<commit>:<subdir>`) into `into` with
 * `git archive | tar -x`: no worktree, no checkout, nothing changes in the repository.
 */
export async function exportGitTree(
  gitDir: string,
  treeish: string,
  into: string,
  signal?: AbortSignal,
): Promise<void> {
  const cancel = signal ? { cancelSignal: signal } : {};
  try {
    await execa('git', ['archive', '--format=tar', treeish], {
      cwd: gitDir,
      stdin: 'ignore',
      ...cancel,
    }).pipe('tar', ['-x', '--no-same-owner', '-f', '-', '-C', into], cancel);
  } catch (error) {
    signal?.throwIfAborted();
    const stderr = stderrOf(error);
    throw new SigstormError(`Could not export ${treeish} from ${gitDir}`, {
      details: stderr.trim().split('\n').slice(-20).join('\n'),
      hint: 'Check that the ref exists in that repository (`git log <ref>`).',
      cause: error,
    });
  }
}

/** The stderr of a failed pipe: git's own message is on the source side (`pipedFrom`). */
function stderrOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const own = 'stderr' in error ? String(error.stderr) : error.message;
  const from = 'pipedFrom' in error && Array.isArray(error.pipedFrom) ? error.pipedFrom.map(stderrOf) : [];
  return [...from, own].filter((text) => text.trim() !== '').join('\n');
}
