import type { Server } from 'node:http';
import pino, { type Logger } from 'pino';
import { localIdentity } from './auth/local-identity';
import type { Config } from './config';
import type { DatabaseHandle } from './db/database-handle';
import { migrate } from './db/migrator';
import { openDatabase } from './db/open-database';
import { createRestApp } from './rest/app';

export interface RunningService {
  readonly server: Server;
  readonly database: DatabaseHandle;
  readonly url: string;
  /** Stops taking requests, lets the ones in flight finish, closes the database. */
  stop(): Promise<void>;
}

export function makeLogger(level: string): Logger {
  return pino({ level, base: { service: 'replicat' } });
}

/** Opens the database, applies migrations, and serves the REST face. */
export async function startService(config: Config, logger = makeLogger(config.logLevel)): Promise<RunningService> {
  const database = await openDatabase(config.database);
  const report = await migrate(database);
  if (report.applied.length > 0) logger.info({ applied: report.applied }, 'migrations applied');
  const app = createRestApp({
    database,
    limits: config.limits,
    identify: localIdentity(config.identity),
    logger,
    metadata: config.metadata,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.http.port, config.http.host, () => resolve(s));
    s.once('error', reject);
  });
  // Slow clients must not hold sockets forever (slow-loris); bulk bodies of tens of MB still fit.
  server.requestTimeout = 120_000;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 65_000;
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.http.port;
  const where = config.database.kind === 'postgres' ? 'PostgreSQL' : `PGlite at ${config.database.dataDir ?? 'memory'}`;
  const url = `http://${config.http.host === '0.0.0.0' ? 'localhost' : config.http.host}:${port}`;
  logger.info({ url, database: where }, `replicat listening on ${url} (database: ${where})`);
  return {
    server,
    database,
    url,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await database.close();
    },
  };
}
