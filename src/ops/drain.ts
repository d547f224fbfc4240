import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';

const SWEEP_MS = 100;

/**
 * Stops the servers accepting connections and waits for the requests in flight to be answered, for
 * at most `timeoutMs`; then cuts whatever is left. Resolves to true when nothing had to be cut.
 *
 * `server.close()` ends the keep-alive connections idle at that moment only; a connection whose
 * request finishes later would sit idle until its keep-alive timeout (a minute) and hold the close
 * back, so idle connections are swept until every one is gone.
 */
export async function drainServers(servers: readonly (Server | HttpsServer)[], timeoutMs: number): Promise<boolean> {
  const closed = Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  const sweepIdle = () => {
    for (const server of servers) server.closeIdleConnections();
  };
  sweepIdle();
  const sweeper = setInterval(sweepIdle, SWEEP_MS);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const drained = await Promise.race([closed.then(() => true as const), timedOut]);
    if (!drained) {
      for (const server of servers) server.closeAllConnections();
      await closed;
    }
    return drained;
  } finally {
    clearInterval(sweeper);
    clearTimeout(timer);
  }
}
