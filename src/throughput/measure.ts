import { dirname } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { allowedEnv } from '../sandbox/allowed-env.js';
import { type Launcher, openLauncher } from '../sandbox/launcher.js';
import { defaultSandbox, type SandboxMode } from '../sandbox/sandbox.schema.js';
import { SigstormError, UsageError } from '../util/errors.js';
import { allowedCpus, type Placement, placeServerAndClient } from './cpu-placement.js';
import { findFreePort } from './free-port.js';
import { parseClientOutput } from './parse-client-output.js';
import { waitUntilListening } from './wait-listening.js';

export interface ThroughputOptions {
  /** iperf3 (or a compatible binary) to measure. */
  binary: string;
  /** Port for the server; absent: a free one, retried if another process takes it first. */
  port?: number;
  /** Cores for the pair (`taskset -c` list); absent: every core this process may use. Split by placeServerAndClient. */
  cpus?: string;
  /** Parallel streams (`-P`). */
  streams: number;
  /** Test length in whole seconds (`-t`). */
  seconds: number;
  /** More client arguments, e.g. `['-l', '128K']`. */
  extraArgs?: string[];
  signal?: AbortSignal;
  /** Keep iperf3's whole JSON in `raw`. */
  keepRaw?: boolean;
  /** How long the server may take to listen; default 10 s. */
  readyTimeoutMs?: number;
  /** Default: server and client in one bubblewrap sandbox, meeting on its loopback. */
  sandbox?: SandboxMode;
}

export interface ThroughputRun {
  bitsPerSecondSent: number;
  bitsPerSecondReceived: number;
  /** The test length iperf3 measured (`end.sum_sent.seconds`). */
  seconds: number;
  streams: number;
  port: number;
  placement: Placement;
  /** Wall time of the run, server start to server exit. */
  durationMs: number;
  raw?: unknown;
}

const portAttempts = 3;
const serverExitGraceMs = 5000;

interface ServerOptions {
  reject: false;
  stdin: 'ignore';
  forceKillAfterDelay: number;
  cancelSignal?: AbortSignal;
  env: Record<string, string>;
  extendEnv: false;
}
type Subprocess = ResultPromise<ServerOptions>;

function validate(opts: ThroughputOptions): void {
  if (!Number.isInteger(opts.streams) || opts.streams < 1 || opts.streams > 128) {
    throw new UsageError(`Invalid stream count ${opts.streams}.`, {
      hint: 'Use a whole number from 1 to 128.',
    });
  }
  if (!Number.isInteger(opts.seconds) || opts.seconds < 1) {
    throw new UsageError(`Invalid test length ${opts.seconds} s.`, {
      hint: 'Use whole seconds, at least 1.',
    });
  }
}

/** Ends a subprocess we started (by its PID, via execa) and waits for it: SIGTERM, SIGKILL after 1 s. */
async function stop(child: Subprocess, launcher: Launcher): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    // In a sandbox the server is nsenter's child: it gets the SIGTERM itself.
    const program = child.pid === undefined ? undefined : launcher.programPid(child.pid);
    if (program !== undefined && program !== child.pid) signalQuietly(program, 'SIGTERM');
    child.kill('SIGTERM');
  }
  await child;
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Starts `binary -s -1 -p PORT` and returns once it listens; retries busy ports it chose itself. */
async function startServer(
  opts: ThroughputOptions,
  placement: Placement,
  launcher: Launcher,
): Promise<{ server: Subprocess; port: number; exited: () => boolean }> {
  const attempts = opts.port === undefined ? portAttempts : 1;
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = opts.port ?? (await findFreePort());
    const args = ['-c', placement.server, opts.binary, '-s', '-1', '-p', String(port)];
    const options: ServerOptions = {
      reject: false,
      stdin: 'ignore',
      forceKillAfterDelay: 1000,
      env: allowedEnv(),
      extendEnv: false,
    };
    if (opts.signal) options.cancelSignal = opts.signal;
    const command = launcher.command('taskset', args);
    const server: Subprocess = execa(command.file, command.args, options);
    let ended = false;
    void server.then(() => {
      ended = true;
    });
    const pid = server.pid;
    if (pid === undefined) {
      const result = await server;
      throw new SigstormError(`Could not start the iperf3 server ${opts.binary}.`, {
        hint: 'Check that the binary exists and is executable, and that taskset is installed.',
        details: result.message,
      });
    }
    const readyTimeoutMs = opts.readyTimeoutMs ?? 10_000;
    const state = await waitUntilListening(() => launcher.programPid(pid), port, {
      timeoutMs: readyTimeoutMs,
      hasExited: () => ended,
      signal: opts.signal,
    }).catch(async (error: unknown) => {
      await stop(server, launcher);
      throw error;
    });
    if (state === 'listening') return { server, port, exited: () => ended };
    await stop(server, launcher);
    const result = await server;
    lastError = `${result.stderr}\n${result.stdout}`.trim();
    if (state === 'timeout') {
      throw new SigstormError(
        `The iperf3 server did not listen on port ${port} within ${readyTimeoutMs} ms.`,
        {
          hint: 'The machine may be overloaded, or the binary may not be an iperf3 server.',
          details: lastError || undefined,
        },
      );
    }
    if (!/in use/i.test(lastError)) break;
  }
  throw new SigstormError(`The iperf3 server ${opts.binary} exited before it listened.`, {
    hint: 'Run it by hand with -s to see why; if the port is busy, choose another or let sigstorm pick one.',
    details: lastError || '(no output)',
  });
}

/**
 * One throughput measurement on loopback: `binary -s -1 -p PORT` and `binary -c 127.0.0.1 -p PORT
 * -P N -t T -J`, each pinned with taskset to its half of `cpus`. Readiness is observed (the server's own
 * socket listening in /proc), not slept on. Leaves no process behind, also when aborted or failing.
 */
export async function measureThroughput(opts: ThroughputOptions): Promise<ThroughputRun> {
  validate(opts);
  opts.signal?.throwIfAborted();
  const placement = placeServerAndClient(opts.cpus ?? (await allowedCpus()));
  const started = performance.now();
  const launcher = await openLauncher(opts.sandbox ?? defaultSandbox, { readOnly: [dirname(opts.binary)] });
  // Stopping nsenter does not stop its child: an abort ends the whole sandbox.
  const onAbort = (): void => void launcher.close();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await measureIn(launcher, opts, placement, started);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await launcher.close();
  }
}

async function measureIn(
  launcher: Launcher,
  opts: ThroughputOptions,
  placement: Placement,
  started: number,
): Promise<ThroughputRun> {
  const { server, port, exited } = await startServer(opts, placement, launcher);
  try {
    const clientArgs = ['-c', '127.0.0.1', '-p', String(port), '-P', String(opts.streams)];
    clientArgs.push('-t', String(opts.seconds), '-J', ...(opts.extraArgs ?? []));
    const command = `taskset -c ${placement.client} ${opts.binary} ${clientArgs.join(' ')}`;
    const clientCommand = launcher.command('taskset', ['-c', placement.client, opts.binary, ...clientArgs]);
    const client = await execa(clientCommand.file, clientCommand.args, {
      env: allowedEnv(),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: (opts.seconds + 30) * 1000,
      forceKillAfterDelay: 1000,
      ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    });
    opts.signal?.throwIfAborted();
    if (client.timedOut) {
      throw new SigstormError(
        `The iperf3 client did not finish within ${opts.seconds + 30} s (${command}).`,
        {
          hint: 'The binary may hang; run the command by hand.',
        },
      );
    }
    const result = parseClientOutput(client.stdout, client.stderr, command);
    // `-s -1` exits after its one test; give it a moment to, before stopping it ourselves.
    const deadline = performance.now() + serverExitGraceMs;
    while (!exited() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await stop(server, launcher);
    return {
      bitsPerSecondSent: result.bitsPerSecondSent,
      bitsPerSecondReceived: result.bitsPerSecondReceived,
      seconds: result.seconds,
      streams: opts.streams,
      port,
      placement,
      durationMs: performance.now() - started,
      ...(opts.keepRaw ? { raw: result.raw } : {}),
    };
  } finally {
    await stop(server, launcher);
  }
}
