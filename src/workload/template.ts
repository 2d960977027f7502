import type { Placeholder } from './schema.js';

export type TemplateValues = Readonly<Record<Placeholder, string>>;

/** Turns an argument template into argv: split on whitespace, then fill every `{placeholder}`. */
export function expandArgs(template: string, values: TemplateValues): string[] {
  return template
    .trim()
    .split(/\s+/)
    .map((word) =>
      word.replace(/\{([a-z]+)\}/g, (whole, name: string) =>
        Object.hasOwn(values, name) ? values[name as Placeholder] : whole,
      ),
    );
}
