import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ReplicatClient, Unauthenticated } from '@replicat/sdk';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import pino, { type Logger } from 'pino';
import { drainServers } from '../ops/drain';
import { listenOn } from '../ops/listen';
import { CatalogCallers } from './catalog-callers';
import { SdkSrmCatalog } from './sdk-catalog';
import { createSrmApp } from './srm-app';
import { loadSrmConfig, loadStorageConfig, type ListenConfig, type SrmConfig, type SrmFlags, type StorageConfig } from './srm-config';
import { SrmService } from './srm-service';
import { createStorageApp } from './storage-app';
import { isSignedScheme, TurlSigner } from './turl-signer';

/** A running `replicat srm` or `replicat storage`. */
export interface RunningProcess {
  readonly url: string;
  /** Stops taking connections, lets transfers in flight finish for up to the drain timeout, then cuts them. */
  stop(): Promise<{ readonly drained: boolean }>;
}

/**
 * The mock SRM as a process of its own: the SRM operations for the SEs of `config.ses`, talking to the
 * catalog at `config.catalog.url` with each caller's credentials, and (unless `serveData` is false) the
 * bytes behind its TURLs. `GET /healthz` answers once the port is bound.
 */
export async function startSrm(config: SrmConfig, logger: Logger): Promise<RunningProcess> {
  for (const warning of config.warnings) logger.warn(warning);
  const signer = config.secret.generated ? TurlSigner.random() : new TurlSigner(config.secret.value);
  if (config.secret.generated) {
    logger.info('TURLs are signed with a secret made up at start (no REPLICAT_SRM_SECRET): they end when this process does');
  }
  const catalog = { baseUrl: config.catalog.url, ...(config.catalog.ca !== undefined ? { ca: config.catalog.ca } : {}) };
  const catalogClients = new SdkSrmCatalog(catalog);
  const service = new SrmService(
    {
      ses: config.ses,
      stagingDelayMs: config.stagingDelayMs,
      pinLifetimeMs: config.pinLifetimeMs,
      maxPinLifetimeMs: config.maxPinLifetimeMs,
      putLifetimeMs: config.putLifetimeMs,
      requestRetentionMs: config.requestRetentionMs,
      signer,
    },
    catalogClients,
  );
  const callers = new CatalogCallers(catalog);
  const app = processApp(
    logger,
    createSrmApp({ service, identify: (req) => callers.identify(req.get('authorization')), logger, serveData: config.serveData }),
  );
  const { server, url } = await listen(app, config.listen, 'REPLICAT_SRM_PORT (--port)');
  await checkRegistry(config, logger);
  const ses = Object.fromEntries(config.ses);
  logger.info(
    { url, catalog: config.catalog.url, ses, data: config.serveData ? 'served here' : 'served by a storage process' },
    `replicat srm listening on ${url} (catalog ${config.catalog.url}; ${[...config.ses.keys()].join(', ')})`,
  );
  return {
    url,
    stop: async () => {
      const drained = await drainServers([server], config.listen.drainTimeoutMs);
      await catalogClients.close();
      return { drained };
    },
  };
}

/** A storage process: the bytes behind signed TURLs for the SEs of `config.ses`, and `GET /healthz`. */
export async function startStorage(config: StorageConfig, logger: Logger): Promise<RunningProcess> {
  for (const warning of config.warnings) logger.warn(warning);
  const app = processApp(logger, createStorageApp({ ses: config.ses, signer: new TurlSigner(config.secret.value), logger }));
  const { server, url } = await listen(app, config.listen, 'REPLICAT_STORAGE_PORT (--port)');
  logger.info({ url, ses: Object.fromEntries(config.ses) }, `replicat storage listening on ${url} (${[...config.ses.keys()].join(', ')})`);
  return { url, stop: async () => ({ drained: await drainServers([server], config.listen.drainTimeoutMs) }) };
}

/**
 * `replicat srm` or `replicat storage` from its options and the environment: the configuration is read and
 * checked now (a ConfigError names what to fix), the process starts when asked.
 */
export function prepareProcess(
  command: 'srm' | 'storage',
  options: SrmFlags,
  env: Readonly<Record<string, string | undefined>>,
): { readonly logger: Logger; start(): Promise<RunningProcess> } {
  if (command === 'srm') {
    const config = loadSrmConfig(options, env);
    const logger = processLogger('replicat-srm', config.logLevel);
    return { logger, start: () => startSrm(config, logger) };
  }
  const config = loadStorageConfig(options, env);
  const logger = processLogger('replicat-storage', config.logLevel);
  return { logger, start: () => startStorage(config, logger) };
}

/**
 * JSON lines on stdout, written synchronously: pino's default asynchronous writer, flushed at exit, was
 * seen writing the last two lines in the wrong order on a pipe, and the drain's last line is the one an
 * operator (and a supervisor) reads.
 */
function processLogger(service: 'replicat-srm' | 'replicat-storage', level: string): Logger {
  return pino({ level, base: { service } }, pino.destination({ dest: 1, sync: true }));
}

/** The process's own routes around an app: one log line per request, and `GET /healthz`. */
function processApp(logger: Logger, inner: Express): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(logRequests(logger));
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.use(inner);
  return app;
}

/**
 * One line per request when it ends: method, path, status, duration. Never the query: a TURL's query is
 * its signature, and a log line must not hand out capabilities.
 */
function logRequests(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10, completed: res.writableFinished }, 'request');
    });
    next();
  };
}

async function listen(app: Express, config: ListenConfig, setting: string): Promise<{ server: Server | HttpsServer; url: string }> {
  const listener = app as unknown as RequestListener;
  const server =
    config.tls !== undefined
      ? createHttpsServer({ cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile), connectionsCheckingInterval: 1000 }, listener)
      : createServer({ connectionsCheckingInterval: 1000 }, listener);
  await listenOn(server, config.port, config.host, setting);
  // Transfers are long: an hour for a whole request; the headers still have to come quickly (slow-loris).
  server.requestTimeout = 3_600_000;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 65_000;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return { server, url: `${config.tls !== undefined ? 'https' : 'http'}://${host}:${(server.address() as AddressInfo).port}` };
}

/**
 * Reads the catalog's SE registry once at start and warns about what will not work: a served SE the
 * registry does not know (its SURLs are refused until an administrator registers it), and http(s) TURL
 * templates that do not lead to `/data/{name}{path}` (the data routes could not serve them). Only warnings:
 * the registry is read live on every operation, so registering the SE later, or starting the catalog after
 * the SRM, fixes things without a restart.
 */
async function checkRegistry(config: SrmConfig, logger: Logger): Promise<void> {
  const client = new ReplicatClient({
    baseUrl: config.catalog.url,
    ...(config.catalog.ca !== undefined ? { ca: config.catalog.ca } : {}),
    ...(config.catalog.startupAuthorization !== undefined ? { headers: { authorization: config.catalog.startupAuthorization } } : {}),
    // Generous: a loaded machine must not turn a slow answer into a misleading warning.
    timeoutMs: 10_000,
    retry: false,
  });
  try {
    const registry = await client.storageElements.list();
    for (const [name] of config.ses) {
      const se = registry.find((s) => s.name === name);
      if (se === undefined) {
        logger.warn({ se: name }, `storage element ${name} is not in the catalog's registry: its SURLs are refused until an administrator registers it`);
        continue;
      }
      for (const protocol of se.protocols) {
        if (isSignedScheme(protocol.scheme) && !protocol.turlTemplate.endsWith(`/data/${name}{path}`)) {
          logger.warn(
            { se: name, turlTemplate: protocol.turlTemplate },
            `the ${protocol.scheme} TURL template of ${name} does not end in /data/${name}{path}: replicat's data routes cannot serve its TURLs`,
          );
        }
      }
    }
  } catch (error) {
    const hint = error instanceof Unauthenticated ? ' (give the SRM REPLICAT_TOKEN or REPLICAT_USER/REPLICAT_PASSWORD to read it)' : '';
    logger.warn(
      { catalog: config.catalog.url, error: (error as Error).message },
      `could not read the catalog's SE registry at start: the SEs served are not checked${hint}`,
    );
  } finally {
    await client.close();
  }
}
