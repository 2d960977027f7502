/**
 * The first compiler or linker error in a build log, as `file:line: message` with the build
 * directory's prefix removed: what a person fixes first. Undefined when the log has none (a
 * configure check failed, a script died).
 */
export function firstBuildError(log: string, buildDir?: string): string | undefined {
  const lines = log.split('\n');
  const strip = (line: string): string =>
    (buildDir ? line.replaceAll(`${buildDir}/`, '') : line).replace(/\s+$/, '');
  const compiler = lines.find((line) => /^[^\s:][^:]*:\d+(:\d+)?: (fatal )?error: /.test(line));
  if (compiler) return strip(compiler);
  const linker = lines.find(
    (line) =>
      /: undefined reference to /.test(line) ||
      /(^|\/)(ld|ld\.bfd|ld\.gold|ld\.lld|collect2)(: | )?.*\berror\b/.test(line) ||
      /: multiple definition of /.test(line),
  );
  return linker === undefined ? undefined : strip(linker);
}
