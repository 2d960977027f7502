import { z } from 'zod';

/** The two iperf3 processes of an iteration. */
export const Side = z.enum(['server', 'client']);
export type Side = z.infer<typeof Side>;

export function otherSide(side: Side): Side {
  return side === 'server' ? 'client' : 'server';
}

/** `target`: the judged side of an iteration; `peer`: the other side, evidence only. */
export const Role = z.enum(['target', 'peer']);
export type Role = z.infer<typeof Role>;
