import { basename } from 'node:path';

/** One frame of a stack as a sanitizer or gdb printed it, addresses dropped. */
export interface Frame {
  /** Function name, `''` when the symboliser did not know it. */
  readonly fn: string;
  /** Source path as printed, or `null`. */
  readonly file: string | null;
  readonly line: number | null;
  /** Basename of the module for unsymbolised frames (`libc.so.6`), or `null`. */
  readonly module: string | null;
}

const sanitizerFrameLine = /^\s*#\d+\s+(?:0x[0-9a-fA-F]+\s+)?(?:in\s+)?(.*)$/;

/** Is this line a frame of a sanitizer stack (`    #3 0x55d1 in main /src/x.c:12`)? */
export function isSanitizerFrameLine(line: string): boolean {
  return /^\s*#\d+\s/.test(line);
}

/**
 * Parses a sanitizer frame in either format: ASan/UBSan/LSan (`#0 0x55d1 in f /a/b.c:12:3`,
 * `#4 0x55d1 (/bin/x+0x32c0) (BuildId: ab12)`) or TSan (`#0 f /a/b.c:12 (x+0x1377)`, `#7 <null> <null> (libc.so.6+0x3c04f)`).
 */
export function parseSanitizerFrame(line: string): Frame | null {
  const match = sanitizerFrameLine.exec(line);
  if (!match) return null;
  let rest = (match[1] ?? '').trim();
  rest = rest.replace(/\s*\(BuildId: [0-9a-fA-F]+\)$/, '');
  let module: string | null = null;
  const moduleMatch = /\s*\(([^()\s]+)\+0x[0-9a-fA-F]+\)$/.exec(rest);
  if (moduleMatch) {
    module = basename(moduleMatch[1] ?? '');
    rest = rest.slice(0, moduleMatch.index);
  }
  let file: string | null = null;
  let lineNo: number | null = null;
  const location = /\s+(\S+?):(\d+)(?::\d+)?$/.exec(rest);
  if (location) {
    file = location[1] ?? null;
    lineNo = Number(location[2]);
    rest = rest.slice(0, location.index);
  } else {
    rest = rest.replace(/\s+<null>$/, '');
  }
  return { fn: cleanFunctionName(rest), file, line: lineNo, module };
}

/** Drops what varies between builds of the same code: offsets, gcc clone suffixes, interceptor prefixes. */
export function cleanFunctionName(raw: string): string {
  let fn = raw.trim();
  if (fn === '<null>' || fn === '??' || fn.startsWith('(')) return '';
  fn = fn.replace(/\+0x[0-9a-fA-F]+$/, '');
  fn = fn.replace(/(\.(constprop|isra|part|cold|lto_priv|localalias)(\.\d+)?)+$/, '');
  fn = fn.replace(/^_{2,3}interceptor_/, '');
  return fn;
}

const runtimeModule = /^lib(asan|tsan|ubsan|lsan|hwasan)\.so/;
const runtimeFunction =
  /^(__asan|__tsan|__ubsan|__lsan|__sanitizer|__interception|__interceptor_|___interceptor_)/;

/** A frame of the sanitizer runtime itself (its interceptors, its reporting machinery). */
export function isRuntimeFrame(frame: Frame): boolean {
  if (frame.module && runtimeModule.test(frame.module)) return true;
  if (frame.file && /\/(libsanitizer|compiler-rt\/lib)\//.test(frame.file)) return true;
  return runtimeFunction.test(frame.fn);
}

// Relative source paths glibc's debug info uses (`../sysdeps/…`, `./nptl/…`, `libio/…`).
const glibcPath =
  /^(\.\.?\/)?(sysdeps|nptl|csu|libio|stdio-common|stdlib|string|malloc|signal|posix|misc|io|socket|elf|dlfcn|debug|assert|wcsmbs|iconv|login|resolv|inet)\//;
const systemModule = /^(libc\.so|libpthread\.so|ld-linux|libdl\.so|librt\.so|libm\.so|linux-vdso)/;
const stackRoots = new Set([
  '_start',
  '__libc_start_main',
  '__libc_start_main_impl',
  '__libc_start_call_main',
  'start_thread',
  'clone',
  'clone3',
  '__clone',
  '__clone3',
  '__clone_internal',
]);

/** A frame of the C library, the dynamic loader, or the bottom of every stack. */
export function isSystemFrame(frame: Frame): boolean {
  if (stackRoots.has(frame.fn)) return true;
  if (frame.module && systemModule.test(frame.module)) return true;
  return frame.file !== null && glibcPath.test(frame.file);
}

/** `fn (file.c)`: the function and its file's basename, never a line number (a patch shifts lines). */
export function frameLabel(frame: Frame): string {
  const name = frame.fn || `?${frame.module ? `(${frame.module})` : ''}`;
  if (frame.file && !glibcPath.test(frame.file)) return `${name} (${basename(frame.file)})`;
  return name;
}

/**
 * The frames a signature is made of: the top `count` frames that belong to the program, skipping the
 * sanitizer runtime and libc (whose names differ between machines with and without debug symbols).
 * Falls back to libc frames when the stack has nothing else, so a signature is never empty by accident.
 */
export function signatureFrames(frames: readonly Frame[], count = 3): string[] {
  const notRuntime = frames.filter((frame) => !isRuntimeFrame(frame));
  const program = notRuntime.filter((frame) => !isSystemFrame(frame) && frame.fn !== '');
  const chosen = program.length > 0 ? program : notRuntime.filter((frame) => frame.fn !== '');
  const labels: string[] = [];
  for (const frame of chosen) {
    const label = frameLabel(frame);
    // An inlined frame and its caller can repeat the same name: one mention is enough.
    if (labels[labels.length - 1] !== label) labels.push(label);
    if (labels.length === count) break;
  }
  return labels;
}

/** A frame as shown to people in reports: function and location, without the address. */
export function describeFrame(frame: Frame): string {
  const name = frame.fn || '?';
  if (frame.file) return `${name} ${frame.file}${frame.line === null ? '' : `:${frame.line}`}`;
  return frame.module ? `${name} (${frame.module})` : name;
}
