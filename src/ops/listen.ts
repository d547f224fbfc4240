import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { StartupError } from './startup-error';

/**
 * Binds a server, or fails with a StartupError that names the setting to change (`PORT 8080 is already in
 * use`) instead of an errno: the catalog, the SRM and the storage process all start this way.
 */
export async function listenOn<S extends Server | HttpsServer>(server: S, port: number, host: string, setting: string): Promise<S> {
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EADDRINUSE'
          ? 'is already in use'
          : error.code === 'EACCES'
            ? 'needs privileges this user lacks'
            : error.code === 'EADDRNOTAVAIL'
              ? `is not available on host ${host}`
              : `cannot be listened on (${error.message})`;
      reject(new StartupError(`${setting} ${port} ${why}`));
    });
    server.listen(port, host);
  });
  return server;
}
