import { z } from 'zod';

/** The signals a workload may deliver. */
export const signalNames = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGKILL'] as const;
export const SignalName = z.enum(signalNames);
export type SignalName = z.infer<typeof SignalName>;
