import { splitLines } from './normalise.js';

/** A line on stderr that proves the process hit a fatal error, whatever its exit status says. */
export interface FatalMarker {
  /** Stable name of the marker, used in the crash signature, e.g. `stack smashing detected`. */
  readonly name: string;
  /** The stderr line it was found on, as printed. */
  readonly line: string;
}

type Pattern = readonly [RegExp, (match: RegExpExecArray) => string];
const first = (match: RegExpExecArray): string => match[1] ?? match[0];

// glibc's __fortify_fail (`*** stack smashing detected ***: terminated`) and malloc_printerr messages,
// assert(), and the shell's report when the binary is a wrapper script.
const patterns: readonly Pattern[] = [
  [/\*\*\* ([a-z][a-z -]*detected) \*\*\*/, first],
  [/\b(double free or corruption)\b/, first],
  [
    /^(?:.*: )?((?:malloc|free|realloc|calloc|munmap_chunk|malloc_consolidate|_int_malloc|_int_free|tcache_thread_shutdown)\(\): [a-z][\w ]*[a-z])/,
    first,
  ],
  [/\b(corrupted (?:size vs\. prev_size|double-linked list)[\w ]*)/, first],
  [/^Fatal glibc error: (?:[^:]+:\d+ \()?([^)]*)/, (m) => `fatal glibc error: ${m[1] ?? ''}`.trim()],
  // `prog: file.c:12: func: Assertion `cond' failed.`: keep the condition and function, not the line.
  [/: ([^:]+): Assertion `(.*)' failed\.$/, (m) => `assertion failed: ${m[2] ?? ''} (${m[1] ?? ''})`],
  [
    /^(?:[\w./-]+: )?(?:line \d+: +)?\d+ (Segmentation fault|Aborted|Bus error|Illegal instruction|Floating point exception)/,
    first,
  ],
  [/^(Segmentation fault|Bus error)(?: \(core dumped\))?$/, first],
  [/^(terminate called (?:after throwing|without an active exception))/, first],
];

/** The first fatal marker on stderr, if any. */
export function findFatalMarker(stderr: string): FatalMarker | null {
  for (const line of splitLines(stderr)) {
    for (const [pattern, name] of patterns) {
      const match = pattern.exec(line);
      if (match) return { name: name(match).trim(), line: line.trim() };
    }
  }
  return null;
}
