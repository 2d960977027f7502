import { z } from 'zod';

/** The three builds sigstorm makes of every tree. Flags are part of the build cache key. */
export const variantNames = ['plain', 'asan', 'tsan'] as const;
export const VariantName = z.enum(variantNames);
export type VariantName = z.infer<typeof VariantName>;

export interface VariantFlags {
  readonly cflags: string;
  readonly ldflags: string;
}

export const variantFlags: Readonly<Record<VariantName, VariantFlags>> = {
  plain: { cflags: '-O2 -g', ldflags: '' },
  asan: {
    cflags: '-fsanitize=address,undefined -fno-omit-frame-pointer -g -O1',
    ldflags: '-fsanitize=address,undefined',
  },
  tsan: { cflags: '-fsanitize=thread -g -O1', ldflags: '-fsanitize=thread' },
};
