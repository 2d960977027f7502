import type { Placeholder } from './schema.js';

/** The values a run has; a placeholder without one is left as written (callers that allow none check). */
export type TemplateValues = Readonly<Partial<Record<Placeholder, string>>>;

/** Turns an argument template into argv: split on whitespace, then fill every `{placeholder}`. */
export function expandArgs(template: string, values: TemplateValues): string[] {
  return template
    .trim()
    .split(/\s+/)
    .map((word) =>
      word.replace(
        /\{([a-z]+)\}/g,
        (whole, name: string) =>
          (Object.hasOwn(values, name) ? values[name as Placeholder] : undefined) ?? whole,
      ),
    );
}
