import { SigstormError } from '../util/errors.js';
import { type Iperf3IntervalSum, Iperf3Json } from './iperf3-json.schema.js';

export interface ClientResult {
  /** What the comparison reads: bytes per second after the warm-up (see afterWarmup). */
  readonly bitsPerSecond: number;
  readonly bitsPerSecondSent: number;
  readonly bitsPerSecondReceived: number;
  readonly seconds: number;
  /** Streams the client connected (`start.connected`), whatever its arguments asked for. */
  readonly streams: number | undefined;
  readonly version: string | undefined;
  readonly raw: unknown;
}

function tail(text: string, lines = 10): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/**
 * Bits per second of the intervals that start at or after `warmup` seconds (and that iperf3 did not
 * omit itself with -O): the warm-up (slow start, cold caches) cut from the run's figure, for any
 * iperf3-compatible binary, whether or not it knows -O. `null` when no interval is left.
 */
export function afterWarmup(intervals: readonly Iperf3IntervalSum[], warmup: number): number | null {
  let bytes = 0;
  let seconds = 0;
  // Interval starts are floats (0.000, 1.000 04, …): a hundredth of a second of slack.
  for (const i of intervals) {
    if (i.omitted || i.start < warmup - 0.01) continue;
    bytes += i.bytes;
    seconds += i.seconds;
  }
  return seconds > 0 ? (8 * bytes) / seconds : null;
}

/**
 * Reads the client's `-J` output, `warmup` seconds cut from `bitsPerSecond`. iperf3's own `error`
 * becomes a SigstormError carrying its text; output that is not iperf3 JSON (a crash, a binary
 * without -J) becomes one with the output's tail.
 */
export function parseClientOutput(stdout: string, stderr: string, command: string, warmup = 0): ClientResult {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch (cause) {
    throw new SigstormError(`The iperf3 client printed no JSON result (${command}).`, {
      hint: 'Check that the binary is iperf3 (or compatible) and supports -J; its output is shown above.',
      // iperf3 prints its complaint on stderr, then usage on stdout: the complaint is what helps.
      details: (stderr.trim() ? tail(stderr) : tail(stdout)) || '(no output)',
      cause,
    });
  }
  const parsed = Iperf3Json.safeParse(json);
  if (!parsed.success) {
    throw new SigstormError(`The iperf3 client's JSON lacks the fields sigstorm reads (${command}).`, {
      hint: 'The binary must print iperf3 -J output with end.sum_sent and end.sum_received.',
      details: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'),
    });
  }
  const { error, end, start } = parsed.data;
  if (error !== undefined) {
    throw new SigstormError(`iperf3 reported an error: ${error}`, {
      hint: "The throughput run could not complete; the message above is iperf3's own.",
      details: command,
    });
  }
  const sent = end?.sum_sent;
  const received = end?.sum_received;
  if (!sent || !received) {
    throw new SigstormError(`The iperf3 client's JSON has no end.sum_sent / end.sum_received (${command}).`, {
      hint: 'The test did not finish; run the command by hand to see why.',
      details: tail(stderr) || undefined,
    });
  }
  const measured =
    warmup > 0
      ? afterWarmup(
          (parsed.data.intervals ?? []).map((i) => i.sum),
          warmup,
        )
      : received.bits_per_second;
  if (measured === null) {
    throw new SigstormError(
      `The iperf3 client's JSON has no intervals after the ${warmup} s warm-up (${command}).`,
      {
        hint: 'sigstorm cuts the warm-up from the per-interval output (intervals[].sum); use a binary that prints intervals with -J, or set warmup: 0 in the throughput workload.',
      },
    );
  }
  return {
    bitsPerSecond: measured,
    bitsPerSecondSent: sent.bits_per_second,
    bitsPerSecondReceived: received.bits_per_second,
    seconds: sent.seconds,
    streams: start?.connected?.length,
    version: start?.version,
    raw: json,
  };
}
