import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { Authenticator } from './auth/authenticator';
import { tlsServerOptions } from './auth/tls-server-options';
import { recordSentChains } from './auth/tls-sent-chain';
import type { Config } from './config';
import { bootstrapAdmin } from './core/accounts';
import { loadCursorKey } from './core/load-cursor-key';
import type { DatabaseHandle } from './db/database-handle';
import { migrate } from './db/migrator';
import { openDatabase } from './db/open-database';
import { createRestApp } from './rest/app';
import { setRootOwner } from './core/namespace/root-owner';
import { drainServers } from './ops/drain';
import { ServiceMetrics } from './ops/metrics';
import { RequestDeadlines } from './ops/request-deadlines';
import { describeDatabaseFailure, redactedUrl, StartupError } from './ops/startup-error';
import { listenOn } from './ops/listen';

export interface RunningService {
  readonly server: Server;
  /** The HTTPS server taking client certificates, when TLS_CERT and TLS_KEY are set. */
  readonly tlsServer: HttpsServer | undefined;
  readonly tlsUrl: string | undefined;
  readonly database: DatabaseHandle;
  readonly url: string;
  /**
   * The password made for `admin` when this start created the account without REPLICAT_ADMIN_PASSWORD:
   * for the caller to show once to the person starting the service, never to a log.
   */
  readonly generatedAdminPassword: string | undefined;
  /**
   * Stops taking requests (and says so on /readyz), lets the ones in flight finish for up to
   * `drainTimeoutMs` (then cuts their connections), closes the database. Resolves to whether every
   * request in flight could finish.
   */
  stop(drainTimeoutMs?: number): Promise<{ readonly drained: boolean }>;
}

/**
 * The service's logger: JSON lines (for log stores) unless `readable`, which a terminal asks for: one line per
 * event with a local time and the level in words (pino-pretty, in this process, so no line is lost at exit).
 */
export function makeLogger(level: string, readable = false): Logger {
  if (!readable) return pino({ level, base: { service: 'replicat' } });
  return pino({ level, base: undefined }, pretty({ translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service', singleLine: true, sync: true }));
}

/**
 * Opens the database, applies migrations, then binds the ports and serves the REST and SOAP faces.
 *
 * The ports are bound last, so that nothing is accepted before the catalog can answer (a client or load
 * balancer that connects gets an answer, not a 503 while migrations run); a certificate that does not load
 * still stops the start before the database is touched, a taken port after the migrations.
 */
export async function startService(config: Config, logger = makeLogger(config.logLevel)): Promise<RunningService> {
  const tls = config.tls !== undefined ? tlsOptions(config.tls.certFile, config.tls.keyFile) : undefined;
  const deadlines = new RequestDeadlines(config.http);
  const servers: (Server | HttpsServer)[] = [];
  const host = config.http.host === '0.0.0.0' ? 'localhost' : config.http.host;
  let database: DatabaseHandle | undefined;
  let catalog: Awaited<ReturnType<typeof prepareCatalog>> | undefined;
  try {
    database = await openCheckedDatabase(config, logger);
    catalog = await prepareCatalog(config, logger, database);
    const app = catalog.app;
    const dispatch: RequestListener = (req, res) => {
      deadlines.track(req, res);
      app(req, res);
    };
    const server = await listen(createServer(SERVER_OPTIONS, dispatch), 'PORT', config.http.port, config);
    servers.push(server);
    const url = `http://${host}:${(server.address() as AddressInfo).port}`;
    let tlsServer: HttpsServer | undefined;
    let tlsUrl: string | undefined;
    if (config.tls !== undefined && tls !== undefined) {
      const httpsServer = createHttpsServer({ ...tls, ...SERVER_OPTIONS }, dispatch);
      recordSentChains(httpsServer); // the chain as the client sent it, for legacy Globus proxies
      tlsServer = await listen(httpsServer, 'TLS_PORT', config.tls.port, config);
      servers.push(tlsServer);
      tlsUrl = `https://${host}:${(tlsServer.address() as AddressInfo).port}`;
    }
    const where = config.database.kind === 'postgres' ? 'PostgreSQL' : `PGlite at ${config.database.dataDir ?? 'memory'}`;
    logger.info({ url, tlsUrl, database: where }, `replicat listening on ${url}${tlsUrl ? ` and ${tlsUrl}` : ''} (database: ${where})`);
    const opened = database;
    const ready = catalog;
    return {
      server,
      tlsServer,
      database: opened,
      url,
      tlsUrl,
      generatedAdminPassword: ready.generatedAdminPassword,
      async stop(drainTimeoutMs = config.http.drainTimeoutMs) {
        ready.startDraining();
        const drained = await drainServers(servers, drainTimeoutMs);
        deadlines.close();
        ready.close();
        await opened.close();
        return { drained };
      },
    };
  } catch (error) {
    await drainServers(servers, 0);
    deadlines.close();
    catalog?.close();
    await database?.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Opens the database and checks that it answers; a database that cannot be used is a StartupError
 * naming the server (without its password) and why.
 */
export async function openCheckedDatabase(config: Config, logger?: Logger): Promise<DatabaseHandle> {
  const where =
    config.database.kind === 'postgres' ? `the database at ${redactedUrl(config.database.url)}` : `the PGlite database in ${config.database.dataDir ?? 'memory'}`;
  let database: DatabaseHandle;
  try {
    database = await openDatabase(config.database, logger === undefined ? undefined : (level, message, details) => logger[level](details, message));
  } catch (error) {
    throw new StartupError(`cannot open ${where}: ${describeDatabaseFailure(error)}`, { cause: error });
  }
  try {
    await database.ping();
  } catch (error) {
    await database.close().catch(() => undefined);
    throw new StartupError(`cannot reach ${where}: ${describeDatabaseFailure(error)}`, { cause: error });
  }
  try {
    // A replica that is someone else's catalog stops the start; one that does not answer yet does not.
    await database.routing?.start();
  } catch (error) {
    await database.close().catch(() => undefined);
    throw new StartupError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  return database;
}

/** Migrations, the first admin, the root's owner, the authenticator: the app, ready to serve. */
async function prepareCatalog(config: Config, logger: Logger, database: DatabaseHandle) {
  let report;
  try {
    report = await migrate(database);
  } catch (error) {
    throw new StartupError(`cannot apply the migrations: ${describeDatabaseFailure(error)}`, { cause: error });
  }
  if (report.applied.length > 0) logger.info({ applied: report.applied }, 'migrations applied');
  const admin = await bootstrapAdmin(database.db, config.auth.adminPassword);
  // A generated password is returned for the terminal, never logged: log lines travel to log stores.
  if (admin.generated !== undefined) logger.warn({ user: 'admin' }, 'created the user admin with a generated password (shown once on the terminal)');
  else if (admin.created) logger.info({ user: 'admin' }, 'created the user admin with the password in REPLICAT_ADMIN_PASSWORD');
  else if (admin.applied === true) logger.warn({ user: 'admin' }, 'set the password of admin to REPLICAT_ADMIN_PASSWORD (it had another one)');
  await setRootOwner(database.db, config.namespace.rootOwner, config.namespace.rootGroup);
  const cursorKey = await loadCursorKey(database.db);
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
  const audit = logger.child({ audit: true });
  let draining = false;
  const app = createRestApp({
    database,
    limits: config.limits,
    cursorKey,
    identify: (req) => authenticator.identify(req),
    logger,
    authorization: config.namespace.authorization,
    audit: (event) => audit.warn(event, event.action),
    metadata: config.metadata,
    storage: config.storage,
    names: config.names,
    accountsChanged: () => authenticator.accountsChanged(),
    // A worker of our own `serve --workers N` (not of some other process manager's cluster) answers for all.
    metrics: new ServiceMetrics({
      database,
      processMetrics: true,
      ...(config.workers > 1 && cluster.isWorker ? { clusterWorker: cluster.worker!.id } : {}),
    }),
    draining: () => draining,
  });
  return {
    app,
    generatedAdminPassword: admin.generated,
    startDraining() {
      draining = true;
    },
    close() {
      authenticator.close();
    },
  };
}

/**
 * Node checks the request and header timeouts only this often (30 s by default), which would let a
 * slow-loris client hold a socket that long past them.
 */
const SERVER_OPTIONS = { connectionsCheckingInterval: 1000 };

/** The certificate and key of the HTTPS port; a file that is not PEM stops the start with its name. */
function tlsOptions(certFile: string, keyFile: string) {
  const options = tlsServerOptions(readFileSync(certFile), readFileSync(keyFile));
  try {
    createSecureContext(options);
  } catch (error) {
    throw new StartupError(`TLS_CERT ${certFile} and TLS_KEY ${keyFile} are not a usable certificate and key: ${(error as Error).message}`);
  }
  return options;
}

async function listen<S extends Server | HttpsServer>(server: S, setting: string, port: number, config: Config): Promise<S> {
  await listenOn(server, port, config.http.host, setting);
  // Slow clients must not hold sockets forever (slow-loris): Node cuts slow headers, RequestDeadlines
  // slow bodies (Node's own request timeout would also cut long NDJSON streams that keep moving).
  server.requestTimeout = 0;
  server.headersTimeout = config.http.headersTimeoutMs;
  server.keepAliveTimeout = 65_000;
  return server;
}
