/**
 * Checks that a `-J` run's stdout is one JSON document (iperf3 prints its partial results when it
 * is signalled; users asked for exactly that, esnet/iperf#95). `null` when it is; otherwise why not.
 */
export function jsonDocumentProblem(stdout: string): string | null {
  const text = stdout.trim();
  if (text === '') return 'stdout is empty: no JSON document';
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return 'stdout is JSON but not one object';
    }
    return null;
  } catch (error) {
    // Two documents back to back, or one cut short: JSON.parse names the offset.
    return `stdout is not one JSON document: ${(error as Error).message}`;
  }
}
