/** A stack frame that names a source line: `#1 0x… in f src/signals.c:38` (sanitizers), `#4 … in f (…) at src/stream.c:138` (gdb). */
export interface FrameLocation {
  readonly function: string;
  /** As the build recorded it: relative to the tree for the tree's own files (-ffile-prefix-map). */
  readonly path: string;
  readonly line: number;
}

const sanitizerFrame = /^\s*#\d+\s+(?:0x[0-9a-f]+\s+in\s+)?(\S+)\s+(\S+?):(\d+)(?::\d+)?\s*$/;
const gdbFrame = /^#\d+\s+(?:0x[0-9a-f]+\s+in\s+)?(\S+)\s+\(.*\)\s+at\s+(\S+?):(\d+)\s*$/;

/** Every frame of a sanitizer report or gdb backtrace that names a file and line, in the order printed. */
export function frameLocations(evidence: string): FrameLocation[] {
  const out: FrameLocation[] = [];
  for (const line of evidence.split('\n')) {
    const m = gdbFrame.exec(line) ?? sanitizerFrame.exec(line);
    if (!m) continue;
    const [, fn = '', path = '', at = '0'] = m;
    out.push({ function: fn, path, line: Number(at) });
  }
  return out;
}

/** A path that can be a file of the tree: relative, inside it (no `..`), not the toolchain's `./nptl/…`. */
export function inTreeCandidate(path: string): boolean {
  return !path.startsWith('/') && !path.startsWith('.') && !path.split('/').includes('..');
}
