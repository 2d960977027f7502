import { createServer } from 'node:net';

/**
 * A TCP port nobody listens on right now, chosen by the kernel (bind to port 0, read it, close).
 * Another process may take it before we use it: callers retry when the server reports the port busy.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    // The wildcard address: iperf3 servers listen on every address, so the port must be free on all.
    server.listen({ port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('the kernel gave no port for a listening socket'));
      });
    });
  });
}
