import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { installRoot } from '../../../src/util/paths.js';
import { scriptedServeBundle } from './serve-bundle.js';

/**
 * `sigstorm serve` as a real process (the command operators run), in its own process group so the
 * test can clean up whatever it started even after a SIGKILL of the app alone.
 */
export class AppProcess {
  readonly port: number;
  readonly #child: ResultPromise<{
    env: NodeJS.ProcessEnv;
    extendEnv: false;
    detached: true;
    all: true;
    reject: false;
  }>;
  readonly #output: string[] = [];
  #exited = false;

  private constructor(port: number, env: NodeJS.ProcessEnv, cwd: string, command: readonly string[]) {
    this.port = port;
    this.#child = execa('node', command, {
      cwd,
      env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
      extendEnv: false,
      detached: true,
      all: true,
      reject: false,
    });
    this.#child.all.on('data', (chunk: Buffer) => this.#output.push(chunk.toString('utf8')));
    void this.#child.then(() => {
      this.#exited = true;
    });
  }

  /**
   * Starts the app and waits until it answers on /ping. `command`: node's arguments, by default
   * `sigstorm serve`; `scriptedServe` is the App on a scripted validation (scripted-serve.ts).
   */
  static async start(
    env: NodeJS.ProcessEnv,
    cwd: string,
    command: readonly string[] = sigstormServe,
    timeoutMs = 60_000,
  ): Promise<AppProcess> {
    const app = new AppProcess(await freePort(), env, cwd, command);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (app.#exited) throw new Error(`sigstorm serve exited during startup:\n${app.output}`);
      try {
        const response = await fetch(`http://127.0.0.1:${app.port}/ping`);
        if (response.ok) return app;
      } catch {
        // Not listening yet.
      }
      // A refused connection costs next to nothing: looked at often, the App is used as soon as it listens.
      await sleep(25);
    }
    await app.kill('SIGKILL');
    throw new Error(`sigstorm serve did not answer /ping within ${timeoutMs} ms:\n${app.output}`);
  }

  get webhookUrl(): string {
    return `http://127.0.0.1:${this.port}/api/github/webhooks`;
  }

  get pid(): number {
    const { pid } = this.#child;
    if (pid === undefined) throw new Error('the app process has no pid');
    return pid;
  }

  get output(): string {
    return this.#output.join('');
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** Sends `signal` to the app's process only, and waits for it to exit. */
  async kill(signal: NodeJS.Signals): Promise<{ exitCode: number | undefined; signal: string | undefined }> {
    if (!this.#exited) process.kill(this.pid, signal);
    const result = await this.#child;
    return { exitCode: result.exitCode, signal: result.signal };
  }

  /** Ends everything left in the app's process group (children of a killed app), by group id. */
  killGroup(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // The group is already empty.
    }
  }
}

/** The command operators run. */
export const sigstormServe = [join(installRoot, 'bin', 'sigstorm.js'), 'serve'] as const;
/** The same App on a scripted validation and short retry waits, bundled (serve-bundle.ts). */
export async function scriptedServe(): Promise<readonly string[]> {
  return [await scriptedServeBundle()];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
