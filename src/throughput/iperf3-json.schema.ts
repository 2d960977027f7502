import { z } from 'zod';

/** One `end.sum_*` block of iperf3's `-J` output: the fields sigstorm reads; others are ignored. */
export const Iperf3Sum = z.object({
  seconds: z.number().nonnegative(),
  bytes: z.number().nonnegative(),
  bits_per_second: z.number().nonnegative(),
});

/** One `intervals[].sum` of iperf3's `-J` output (the client's side, every stream together). */
export const Iperf3IntervalSum = z.object({
  start: z.number().nonnegative(),
  seconds: z.number().nonnegative(),
  bytes: z.number().nonnegative(),
  /** Set by `-O`: iperf3's own warm-up, left out of its `end` sums. */
  omitted: z.boolean().optional(),
});

/**
 * The part of `iperf3 -J` output sigstorm reads. iperf3 always prints an object with `start`,
 * `intervals` and `end`; on failure `end` is empty and `error` holds the message.
 */
export const Iperf3Json = z.object({
  start: z
    .object({
      version: z.string().optional(),
      /** One entry per connected stream: how many streams the client really ran. */
      connected: z.array(z.unknown()).optional(),
    })
    .optional(),
  intervals: z.array(z.object({ sum: Iperf3IntervalSum })).optional(),
  end: z
    .object({
      sum_sent: Iperf3Sum.optional(),
      sum_received: Iperf3Sum.optional(),
    })
    .optional(),
  error: z.string().optional(),
});
export type Iperf3Json = z.infer<typeof Iperf3Json>;
export type Iperf3IntervalSum = z.infer<typeof Iperf3IntervalSum>;
