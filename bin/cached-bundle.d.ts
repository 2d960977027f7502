/** See cached-bundle.js. */
export function cachedBundle(spec: {
  readonly root: string;
  readonly dir: string;
  readonly name: string;
  readonly entry: string;
  readonly inputs: readonly string[];
}): Promise<string>;
