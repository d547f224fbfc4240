#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { Option } from 'commander';
import type { Logger } from 'pino';
import { processIo } from './cli/process-io';
import { runReplicat, type ServerCommands } from './cli/program';

/**
 * `replicat`: with no command, or `serve` / `migrate`, the service itself; `srm` and `storage`, the mock
 * SRM's processes; any other command is the catalog's command line (src/cli, on the SDK). The services'
 * modules are loaded only for them, so that `replicat ls` starts quickly.
 */
const SERVER: ServerCommands = {
  serve: {
    summary: 'run the catalog service (the default command)',
    description:
      'Runs the catalog service: REST on PORT (default 8080); HTTPS with client certificates on TLS_PORT (default 8443) ' +
      'when TLS_CERT and TLS_KEY are set. The database is PostgreSQL when DATABASE_URL is set, else the embedded PGlite ' +
      'in REPLICAT_DATA (./var/data).',
    options: [['--workers <n>', 'N processes on the same port (as REPLICAT_WORKERS; needs PostgreSQL)']],
    run: (options) => runServer('serve', typeof options.workers === 'string' ? options.workers : undefined),
  },
  migrate: { summary: 'apply pending database migrations and exit', run: () => runServer('migrate', undefined) },
  srm: {
    summary: 'run the mock SRM (SRM v2.2 operations over JSON, and the bytes behind its signed TURLs)',
    description:
      'Runs the mock SRM for the storage elements given with --se, on REPLICAT_SRM_PORT (default 8446). It reads the ' +
      "SE registry and records replicas in the catalog at --catalog with each caller's own credentials. TURLs are " +
      'signed with REPLICAT_SRM_SECRET (or --secret-file); with --no-data a `replicat storage` process holding the ' +
      'same secret serves the bytes. Each option has an environment variable, named in docs/storage.md.',
    options: [
      ['--catalog <url>', 'the catalog (REPLICAT_SRM_CATALOG; default REPLICAT_ENDPOINT, else http://127.0.0.1:8080)'],
      ['--catalog-ca <file>', "PEM CA certificates for the catalog's certificate (REPLICAT_SRM_CATALOG_CA)"],
      seOption('REPLICAT_SRM_SES'),
      ['--host <address>', 'address to listen on (REPLICAT_SRM_HOST; default 0.0.0.0)'],
      ['--port <n>', 'port to listen on (REPLICAT_SRM_PORT; default 8446)'],
      ['--tls-cert <file>', 'HTTPS with this certificate (REPLICAT_SRM_TLS_CERT; with --tls-key)'],
      ['--tls-key <file>', 'the key of --tls-cert (REPLICAT_SRM_TLS_KEY)'],
      ['--staging-delay <seconds>', 'how long a nearline SE takes to stage a file (REPLICAT_SRM_STAGING_DELAY_SECONDS; default 10)'],
      ['--pin-lifetime <seconds>', "a get's pin when the client does not ask (REPLICAT_SRM_PIN_LIFETIME_SECONDS; default 1800)"],
      ['--max-pin-lifetime <seconds>', 'the longest pin a client may ask (REPLICAT_SRM_MAX_PIN_LIFETIME_SECONDS; default 86400)'],
      ['--put-lifetime <seconds>', "how long a put's TURL takes bytes (REPLICAT_SRM_PUT_LIFETIME_SECONDS; default 3600)"],
      ['--request-retention <seconds>', 'finished requests are forgotten this long after they were made (REPLICAT_SRM_REQUEST_RETENTION_SECONDS; default 3600)'],
      ['--secret-file <file>', 'the TURL signing secret, shared with storage processes (REPLICAT_SRM_SECRET_FILE, or the secret in REPLICAT_SRM_SECRET)'],
      ['--no-data', 'do not serve the bytes: a `replicat storage` process does (REPLICAT_SRM_DATA=false)'],
    ],
    run: (options) => runSrmProcess('srm', options),
  },
  storage: {
    summary: 'run a storage process: only the bytes behind the SRM\'s signed TURLs (GET/HEAD/PUT /data/{se}/{path})',
    description:
      'Serves GET, HEAD and PUT /data/{se}/{path} for the storage elements given with --se, on REPLICAT_STORAGE_PORT ' +
      "(default 8447), checking each TURL's signature and expiry with the SRM's secret (REPLICAT_SRM_SECRET or " +
      '--secret-file; required). It shares no state with the SRM: a released or aborted request\'s TURLs work here ' +
      'until they expire, like presigned URLs.',
    options: [
      seOption('REPLICAT_STORAGE_SES'),
      ['--host <address>', 'address to listen on (REPLICAT_STORAGE_HOST; default 0.0.0.0)'],
      ['--port <n>', 'port to listen on (REPLICAT_STORAGE_PORT; default 8447)'],
      ['--tls-cert <file>', 'HTTPS with this certificate (REPLICAT_STORAGE_TLS_CERT; with --tls-key)'],
      ['--tls-key <file>', 'the key of --tls-cert (REPLICAT_STORAGE_TLS_KEY)'],
      ['--secret-file <file>', "the SRM's TURL signing secret (REPLICAT_SRM_SECRET_FILE, or the secret in REPLICAT_SRM_SECRET)"],
    ],
    run: (options) => runSrmProcess('storage', options),
  },
};

function seOption(variable: string): Option {
  return new Option('--se <name=directory>', `a storage element served and its local directory; repeatable (${variable}=se1=/dir1,se2=/dir2)`).argParser(
    (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
  );
}

/** `replicat srm` and `replicat storage`: run until SIGTERM or SIGINT, then drain and exit. */
async function runSrmProcess(command: 'srm' | 'storage', options: Readonly<Record<string, unknown>>): Promise<number> {
  const { ConfigError } = await import('./config.js');
  const { StartupError } = await import('./ops/startup-error.js');
  const { prepareProcess } = await import('./srm/srm-process.js');
  try {
    const { logger, start } = prepareProcess(command, options, process.env);
    logFatalErrors(logger);
    // Signals are taken from the start on: one arriving while the registry is being read still drains.
    const started = start();
    exitOnSignals(logger, () => started.then((running) => running.stop()));
    await started;
    return await new Promise<number>(() => undefined);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StartupError) {
      console.error(`replicat ${command}: ${error.message}`);
      return error instanceof ConfigError ? 2 : 1;
    }
    throw error;
  }
}

async function runServer(command: 'serve' | 'migrate', workers: string | undefined): Promise<number> {
  const { ConfigError, loadConfig } = await import('./config.js');
  const { StartupError } = await import('./ops/startup-error.js');
  try {
    const config = loadConfig(workers !== undefined ? { ...process.env, REPLICAT_WORKERS: workers } : process.env);
    // Before the service allocates anything; the flag is read whenever V8 sets its next collection's limit.
    if (config.heapGrowthPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.heapGrowthPercent}`);
    const { makeLogger, openCheckedDatabase, startService } = await import('./service.js');
    const { startBanner } = await import('./ops/start-banner.js');
    // A person at a terminal reads lines; a log store reads JSON.
    const logger = makeLogger(config.logLevel, process.stdout.isTTY === true);
    if (command === 'migrate') {
      const { migrate } = await import('./db/migrator.js');
      const database = await openCheckedDatabase(config);
      try {
        const report = await migrate(database);
        console.log(report.applied.length > 0 ? `applied: ${report.applied.join(', ')}` : 'the database is up to date');
      } finally {
        await database.close();
      }
      return 0;
    }
    logFatalErrors(logger);
    const { serveInWorkers } = await import('./cluster.js');
    await serveInWorkers(config.workers, logger, async (serviceLogger) => {
      // One serving process: stops on SIGTERM/SIGINT after draining the requests in flight.
      const service = await startService(config, serviceLogger);
      process.stderr.write(startBanner(service, config));
      exitOnSignals(serviceLogger, () => service.stop(), { drainTimeoutMs: config.http.drainTimeoutMs });
    });
    // The service (or the cluster's primary) runs until a signal; its listeners keep the process alive.
    return await new Promise<number>(() => undefined);
  } catch (error) {
    // Configuration and environment problems are one line naming what to fix; anything else is a bug
    // and keeps its stack.
    if (error instanceof ConfigError || error instanceof StartupError) {
      console.error(`replicat: ${error.message}`);
      return error instanceof ConfigError ? 2 : 1;
    }
    throw error;
  }
}

runReplicat(process.argv.length > 2 ? process.argv.slice(2) : ['serve'], processIo(), SERVER).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`replicat: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);

/** A stray error must leave one structured line in the log, not a bare stack on stderr. */
function logFatalErrors(logger: Logger): void {
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception; exiting');
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'unhandled promise rejection; exiting');
    process.exit(1);
  });
}

/**
 * SIGTERM or SIGINT (the first one; later ones are ignored): stop taking connections, let the requests in
 * flight finish, and exit 0 — or 1 when some had to be cut at the drain timeout, or the stop failed.
 */
function exitOnSignals(logger: Logger, stop: () => Promise<{ readonly drained: boolean }>, context: Readonly<Record<string, unknown>> = {}): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, ...context }, 'stopped accepting connections; draining requests in flight');
    stop().then(
      ({ drained }) => {
        if (drained) logger.info({ signal }, 'drained; stopped');
        else logger.warn({ signal, ...context }, 'requests still in flight after the drain timeout were cut; stopped');
        process.exit(drained ? 0 : 1);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}
