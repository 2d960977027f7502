import { z } from 'zod';

/**
 * Which of the two trees a validation compares: `base` (the reference) or `head` (the change).
 * Not a storm's server or client side (src/workload/side.ts). Defined here, the lowest layer that
 * knows trees, so every layer above derives its records and keys from it.
 */
export const TreeSide = z.enum(['base', 'head']);
export type TreeSide = z.infer<typeof TreeSide>;

/** Both, base first. */
export const treeSides = TreeSide.options;
