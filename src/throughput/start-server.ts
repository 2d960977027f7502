import { holdsSocket } from '../storm/proc-net.js';
import { waitForPort } from '../storm/readiness.js';
import { killAndReap, type SideProcess, startSide } from '../storm/side-process.js';
import { SigstormError } from '../util/errors.js';
import { findFreePort } from './free-port.js';

const portAttempts = 3;

export interface ServerStart {
  readonly binary: string;
  /** Server argv for a given port (the workload's `server.args`, filled in). */
  readonly args: (port: number) => string[];
  readonly cpus: string;
  /** Port for the server; absent: a free one, retried if another process takes it first. */
  readonly port?: number | undefined;
  readonly readyTimeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Starts the server and returns once its own socket listens on the port (observed in /proc, not
 * slept on; another process on the same port does not count). Retries busy ports it chose itself.
 * Every process it starts is pushed to `started`, for the caller to reap.
 */
export async function startServer(
  opts: ServerStart,
  started: SideProcess[],
): Promise<{ server: SideProcess; port: number }> {
  const attempts = opts.port === undefined ? portAttempts : 1;
  let lastError = '';
  tries: for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = opts.port ?? (await findFreePort());
    const server = startSide({
      side: 'server',
      binary: opts.binary,
      args: opts.args(port),
      cpus: opts.cpus,
      env: {},
    });
    started.push(server);
    const ready = await waitForPort(
      port,
      async (s) =>
        s.listening && server.pid !== undefined && (await holdsSocket(server.pid, s.listeningInodes)),
      { watch: [server], timeoutMs: opts.readyTimeoutMs, signal: opts.signal },
    );
    switch (ready.kind) {
      case 'ready':
        return { server, port };
      case 'aborted':
        opts.signal?.throwIfAborted();
        throw new Error('the wait for the iperf3 server was aborted');
      case 'timeout': {
        await killAndReap([server]);
        const exit = await server.exited;
        throw new SigstormError(
          `The iperf3 server did not listen on port ${port} within ${opts.readyTimeoutMs} ms.`,
          {
            hint: 'The machine may be overloaded, or the binary (or server.args) may not make an iperf3 server.',
            details: `${exit.stderr}\n${exit.stdout}`.trim() || undefined,
          },
        );
      }
      case 'exited': {
        const exit = await server.exited;
        lastError = (exit.spawnError ?? `${exit.stderr}\n${exit.stdout}`).trim();
        // Only a port this function chose may be swapped for another.
        if (!/in use/i.test(lastError)) break tries;
        break;
      }
    }
  }
  throw new SigstormError(`The iperf3 server ${opts.binary} exited before it listened.`, {
    hint: 'Run it by hand with its server.args to see why; if the port is busy, choose another or let sigstorm pick one.',
    details: lastError || '(no output)',
  });
}
