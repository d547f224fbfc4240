#!/usr/bin/env node
import { processIo } from './cli/process-io';
import { runReplicat, type ServerCommands } from './cli/program';

/**
 * `replicat`: with no command, or `serve` / `migrate`, the service itself; any other command is the
 * catalog's command line (src/cli, on the SDK). The service's modules are loaded only for the service,
 * so that `replicat ls` starts quickly.
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
};

async function runServer(command: 'serve' | 'migrate', workers: string | undefined): Promise<number> {
  const { ConfigError, loadConfig } = await import('./config.js');
  const { StartupError } = await import('./ops/startup-error.js');
  try {
    const config = loadConfig(workers !== undefined ? { ...process.env, REPLICAT_WORKERS: workers } : process.env);
    const { makeLogger, openCheckedDatabase, startService } = await import('./service.js');
    const logger = makeLogger(config.logLevel);
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
    // A stray error must leave one structured line in the log, not a bare stack on stderr.
    process.on('uncaughtException', (error) => {
      logger.fatal({ err: error }, 'uncaught exception; exiting');
      process.exit(1);
    });
    process.on('unhandledRejection', (error) => {
      logger.fatal({ err: error }, 'unhandled promise rejection; exiting');
      process.exit(1);
    });
    const { serveInWorkers } = await import('./cluster.js');
    await serveInWorkers(config.workers, logger, async (serviceLogger) => {
      // One serving process: stops on SIGTERM/SIGINT after draining the requests in flight.
      const service = await startService(config, serviceLogger);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        serviceLogger.info({ signal, drainTimeoutMs: config.http.drainTimeoutMs }, 'stopped accepting connections; draining requests in flight');
        service.stop().then(
          ({ drained }) => {
            if (drained) serviceLogger.info({ signal }, 'drained; stopped');
            else serviceLogger.warn({ signal }, `requests still in flight after ${config.http.drainTimeoutMs} ms were cut; stopped`);
            process.exit(drained ? 0 : 1);
          },
          (error: unknown) => {
            serviceLogger.error({ err: error }, 'unclean stop');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
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
