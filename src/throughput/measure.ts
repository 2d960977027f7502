import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Launcher, openLauncher } from '../sandbox/launcher.js';
import { defaultSandbox, type SandboxMode } from '../sandbox/sandbox.schema.js';
import { awaitExits } from '../storm/await-exits.js';
import { chooseCpus } from '../storm/cpus.js';
import { placeSides } from '../storm/placement.js';
import { killAndReap, type SideProcess, startSide } from '../storm/side-process.js';
import { SigstormError, UsageError } from '../util/errors.js';
import { placeholders, type ThroughputWorkload } from '../workload/schema.js';
import { expandArgs, type TemplateValues } from '../workload/template.js';
import { parseClientOutput } from './parse-client-output.js';
import { startServer } from './start-server.js';

/** What a throughput run runs: the fields of a `kind: throughput` workload (workloads/throughput.yaml). */
export type ThroughputDefinition = Pick<
  ThroughputWorkload,
  'host' | 'streams' | 'seconds' | 'warmup' | 'pin' | 'server' | 'client'
>;

export interface ThroughputOptions {
  /** iperf3 (or a compatible binary) to measure. */
  binary: string;
  definition: ThroughputDefinition;
  /** Port for the server; absent: a free one, retried if another process takes it first. */
  port?: number;
  /** Cores for the pair (`taskset -c` list); absent: every core this process may use. Placed by `definition.pin`. */
  cpus?: string;
  signal?: AbortSignal;
  /** Keep iperf3's whole JSON in `raw`. */
  keepRaw?: boolean;
  /** How long the server may take to listen; default 10 s. */
  readyTimeoutMs?: number;
  /** Default: server and client in one bubblewrap sandbox, meeting on its loopback. */
  sandbox?: SandboxMode;
}

export interface ThroughputRun {
  /** The run's figure: bit/s the client sent after the warm-up (`end.sum_received` without one). */
  bitsPerSecond: number;
  bitsPerSecondSent: number;
  bitsPerSecondReceived: number;
  /** The test length iperf3 measured (`end.sum_sent.seconds`). */
  seconds: number;
  /** Streams the client connected (`start.connected` of its -J output). */
  streams: number;
  port: number;
  /** The `taskset -c` list of each side. */
  placement: { readonly server: string; readonly client: string };
  /** Wall time of the run, server start to server exit. */
  durationMs: number;
  raw?: unknown;
}

const serverExitGraceMs = 5000;
/** The client may run this much longer than `seconds` before it counts as hung. */
const clientSlackS = 30;

/** Settings a measurement cannot run with, as errors that say which field to change. */
function validate(def: ThroughputDefinition): void {
  if (!Number.isInteger(def.streams) || def.streams < 1 || def.streams > 128) {
    throw new UsageError(`Invalid stream count ${def.streams}.`, {
      hint: 'Use a whole number from 1 to 128.',
    });
  }
  if (!Number.isInteger(def.seconds) || def.seconds < 1) {
    throw new UsageError(`Invalid test length ${def.seconds} s.`, { hint: 'Use whole seconds, at least 1.' });
  }
  if (!Number.isInteger(def.warmup) || def.warmup < 0) {
    throw new UsageError(`Invalid warm-up ${def.warmup} s.`, { hint: 'Use whole seconds, 0 or more.' });
  }
  const client = def.client.args.trim().split(/\s+/);
  if (!client.includes('-J') && !client.includes('--json')) {
    throw new UsageError(`client.args "${def.client.args}" has no -J.`, {
      hint: "sigstorm reads throughput from iperf3's JSON output: add -J to client.args.",
    });
  }
  for (const side of ['server', 'client'] as const) {
    for (const match of def[side].args.matchAll(/\{([^}]*)\}/g)) {
      if (match[1] === 'rate') {
        throw new UsageError(`${side}.args uses {rate}, which throughput runs do not have.`, {
          hint: `Throughput runs are not rate-limited; write a bitrate (e.g. -b 1G) into ${side}.args if you want one. Placeholders here: ${placeholders
            .filter((p) => p !== 'rate')
            .map((p) => `{${p}}`)
            .join(' ')}.`,
        });
      }
    }
  }
}

/** The CPUs of each side: `definition.pin` applied to the cores given (or all of this process's). */
function place(opts: ThroughputOptions): { server: string; client: string } {
  const cpus = chooseCpus(opts.cpus);
  const placement = placeSides(opts.definition.pin, cpus, 'the throughput run');
  if (placement.kind === 'impossible') {
    throw new UsageError(`Cannot place the throughput run: ${placement.reason}.`, {
      hint: 'Give it two CPUs (cpus), or set pin: same-core or pin: none in the throughput workload.',
    });
  }
  return { server: placement.server, client: placement.client };
}

/**
 * One throughput measurement on loopback: the workload's server and client arguments, each side
 * pinned with taskset as its `pin` says. Readiness is observed (the server's own socket listening in
 * /proc), not slept on. Leaves no process behind, also when aborted or failing.
 */
export async function measureThroughput(opts: ThroughputOptions): Promise<ThroughputRun> {
  const def = opts.definition;
  validate(def);
  opts.signal?.throwIfAborted();
  const placement = place(opts);
  const started = performance.now();
  const launcher = await openLauncher(opts.sandbox ?? defaultSandbox, { programDir: dirname(opts.binary) });
  // Stopping nsenter does not stop its child: an abort ends the whole sandbox at once.
  const onAbort = (): void => void launcher.close();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await measureIn(launcher, opts, placement, started);
  } catch (error) {
    // An abort ends the sandbox: a server that then "exited before it listened" is the abort's doing.
    opts.signal?.throwIfAborted();
    throw error;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await launcher.close();
  }
}

async function measureIn(
  launcher: Launcher,
  opts: ThroughputOptions,
  placement: { server: string; client: string },
  started: number,
): Promise<ThroughputRun> {
  const def = opts.definition;
  const values = (port: number): TemplateValues => ({
    port: String(port),
    host: def.host,
    streams: String(def.streams),
    // The client runs through the warm-up and then the measured seconds.
    seconds: String(def.seconds + def.warmup),
  });
  const processes: SideProcess[] = [];
  try {
    const { server, port } = await startServer(
      {
        binary: opts.binary,
        args: (p) => expandArgs(def.server.args, values(p)),
        cpus: placement.server,
        port: opts.port,
        readyTimeoutMs: opts.readyTimeoutMs ?? 10_000,
        signal: opts.signal,
        launcher,
      },
      processes,
    );
    const args = expandArgs(def.client.args, values(port));
    const command = `taskset -c ${placement.client} ${opts.binary} ${args.join(' ')}`;
    const client = startSide({
      side: 'client',
      binary: opts.binary,
      args,
      cpus: placement.client,
      env: {},
      launcher,
    });
    processes.push(client);
    const limitS = def.seconds + def.warmup + clientSlackS;
    const ended = (await awaitExits([client], performance.now() + limitS * 1000, opts.signal))?.get(client);
    opts.signal?.throwIfAborted();
    if (!ended) throw new Error('the iperf3 client ended without a result');
    if (ended.timedOut) {
      throw new SigstormError(`The iperf3 client did not finish within ${limitS} s (${command}).`, {
        hint: 'The binary may hang (its threads are shown below); run the command by hand.',
        details: ended.backtrace,
      });
    }
    const result = parseClientOutput(ended.exit.stdout, ended.exit.stderr, command, def.warmup);
    // `-s -1` exits after its one test; give it a moment to, before stopping it ourselves.
    const grace = new AbortController();
    await Promise.race([
      server.exited,
      sleep(serverExitGraceMs, undefined, { signal: grace.signal }).catch(() => {}),
    ]);
    grace.abort();
    await killAndReap(processes);
    return {
      bitsPerSecond: result.bitsPerSecond,
      bitsPerSecondSent: result.bitsPerSecondSent,
      bitsPerSecondReceived: result.bitsPerSecondReceived,
      seconds: result.seconds,
      streams: result.streams ?? def.streams,
      port,
      placement,
      durationMs: performance.now() - started,
      ...(opts.keepRaw ? { raw: result.raw } : {}),
    };
  } finally {
    await killAndReap(processes);
  }
}
