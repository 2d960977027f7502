import type { VariantName } from '../compile/variants.js';

/**
 * Exit codes the sanitizers use in storms. iperf3 exits 0 or 1 on a signal, so ASan's default (1)
 * would hide a report behind a clean-looking exit; these never collide with iperf3's own codes.
 */
export const sanitizerExitCodes = { asan: 86, ubsan: 87, tsan: 66 } as const;

export interface SanitizerEnvOptions {
  /**
   * Run LeakSanitizer at exit. Off by default: an interrupted iperf3 exits without freeing its
   * streams, so every iteration would "leak" in base and head alike, and the leak check costs time.
   */
  detectLeaks?: boolean;
}

function options(entries: Record<string, string | number | boolean>): string {
  return Object.entries(entries)
    .map(([key, value]) => `${key}=${typeof value === 'boolean' ? Number(value) : value}`)
    .join(':');
}

/**
 * The `*SAN_OPTIONS` the runner sets for every process of a storm (docs/classification.md explains
 * each choice). They replace whatever the user's environment had, so that runs are comparable.
 */
export function sanitizerEnv(variant: VariantName, opts: SanitizerEnvOptions = {}): Record<string, string> {
  const detectLeaks = opts.detectLeaks ?? false;
  const common = {
    symbolize: true,
    print_summary: true,
    color: 'never',
    abort_on_error: false,
    // No multi-GB core files from thousands of iterations.
    disable_coredump: true,
  };
  switch (variant) {
    case 'plain':
      return {};
    case 'asan':
      return {
        ASAN_OPTIONS: options({
          ...common,
          exitcode: sanitizerExitCodes.asan,
          detect_leaks: detectLeaks,
          // Deaths by these signals become reports with a stack instead of a bare signal.
          handle_segv: true,
          handle_sigbus: true,
          handle_sigfpe: true,
          handle_sigill: true,
          handle_abort: true,
        }),
        // The asan variant is built with -fsanitize=address,undefined: UBSan reports go to the same stderr.
        UBSAN_OPTIONS: options({
          ...common,
          print_stacktrace: true,
          report_error_type: true,
          // Keep running after a UB report so the iteration still exercises the signal path under test.
          halt_on_error: false,
          exitcode: sanitizerExitCodes.ubsan,
        }),
        LSAN_OPTIONS: options({ exitcode: sanitizerExitCodes.asan }),
      };
    case 'tsan':
      return {
        TSAN_OPTIONS: options({
          ...common,
          exitcode: sanitizerExitCodes.tsan,
          halt_on_error: false,
          report_signal_unsafe: true,
          second_deadlock_stack: true,
          handle_segv: true,
          handle_abort: true,
          // TSan sleeps 1 s at exit while other threads run; an interrupted iperf3 always has some.
          // 50 ms keeps a window for exit-time races and saves ~1 s per iteration.
          atexit_sleep_ms: 50,
        }),
      };
  }
}
