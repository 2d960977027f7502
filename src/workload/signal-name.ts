import { z } from 'zod';

/** The signals iperf3 turns into its interrupt path: whoever runs their handler must be the main thread. */
export const terminationSignals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** The signals a workload may deliver. */
export const signalNames = [...terminationSignals, 'SIGKILL', 'SIGSTOP', 'SIGCONT'] as const;
export const SignalName = z.enum(signalNames);
export type SignalName = z.infer<typeof SignalName>;
