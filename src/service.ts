import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { Authenticator } from './auth/authenticator';
import { tlsServerOptions } from './auth/tls-server-options';
import { recordSentChains } from './auth/tls-sent-chain';
import type { Config } from './config';
import { bootstrapAdmin } from './core/accounts';
import type { DatabaseHandle } from './db/database-handle';
import { migrate } from './db/migrator';
import { openDatabase } from './db/open-database';
import { createRestApp } from './rest/app';
import { setRootOwner } from './core/namespace/root-owner';

export interface RunningService {
  readonly server: Server;
  /** The HTTPS server taking client certificates, when TLS_CERT and TLS_KEY are set. */
  readonly tlsServer: HttpsServer | undefined;
  readonly tlsUrl: string | undefined;
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
  const admin = await bootstrapAdmin(database.db, config.auth.adminPassword);
  if (admin.generated !== undefined) {
    // Shown this once (only the instance that created the account knows it); change it with PATCH /api/v1/users/admin.
    logger.warn({ user: 'admin', password: admin.generated }, `created the user admin with the generated password ${admin.generated}`);
  } else if (admin.created) {
    logger.info({ user: 'admin' }, 'created the user admin with the password in REPLICAT_ADMIN_PASSWORD');
  }
  const authenticator = new Authenticator({
    db: database.db,
    config: config.auth,
    anonymous: config.identity,
    tls: config.tls !== undefined,
    logger,
  });
  if (config.tls !== undefined && config.auth.x509.certDir === undefined) {
    logger.warn('HTTPS is on but X509_CERT_DIR is not set: client certificates will be refused');
  }
  await setRootOwner(database.db, config.namespace.rootOwner, config.namespace.rootGroup);
  const audit = logger.child({ audit: true });
  const app = createRestApp({
    database,
    limits: config.limits,
    identify: (req) => authenticator.identify(req),
    logger,
    authorization: config.namespace.authorization,
    audit: (event) => audit.warn(event, event.action),
    metadata: config.metadata,
    storage: config.storage,
  });
  const host = config.http.host === '0.0.0.0' ? 'localhost' : config.http.host;
  const server = await listen(app.listen(config.http.port, config.http.host), config.http.port);
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  let tlsServer: HttpsServer | undefined;
  let tlsUrl: string | undefined;
  if (config.tls !== undefined) {
    const httpsServer = createHttpsServer(tlsServerOptions(readFileSync(config.tls.certFile), readFileSync(config.tls.keyFile)), app);
    recordSentChains(httpsServer); // the chain as the client sent it, for legacy Globus proxies
    tlsServer = await listen(httpsServer.listen(config.tls.port, config.http.host), config.tls.port);
    tlsUrl = `https://${host}:${(tlsServer.address() as AddressInfo).port}`;
  }
  const where = config.database.kind === 'postgres' ? 'PostgreSQL' : `PGlite at ${config.database.dataDir ?? 'memory'}`;
  logger.info({ url, tlsUrl, database: where }, `replicat listening on ${url}${tlsUrl ? ` and ${tlsUrl}` : ''} (database: ${where})`);
  return {
    server,
    tlsServer,
    database,
    url,
    tlsUrl,
    async stop() {
      await Promise.all([server, ...(tlsServer ? [tlsServer] : [])].map(close));
      authenticator.close();
      await database.close();
    },
  };
}

async function listen<S extends Server | HttpsServer>(server: S, port: number): Promise<S> {
  await new Promise<void>((resolve, reject) => {
    if (server.listening) return resolve();
    server.once('listening', () => resolve());
    server.once('error', (error) => reject(new Error(`cannot listen on port ${port}: ${error.message}`)));
  });
  // Slow clients must not hold sockets forever (slow-loris); bulk bodies of tens of MB still fit.
  server.requestTimeout = 120_000;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 65_000;
  return server;
}

function close(server: Server | HttpsServer): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
