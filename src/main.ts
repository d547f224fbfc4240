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
  try {
    const config = loadConfig(workers !== undefined ? { ...process.env, REPLICAT_WORKERS: workers } : process.env);
    const { makeLogger, startService } = await import('./service.js');
    const logger = makeLogger(config.logLevel);
    if (command === 'migrate') {
      const { openDatabase } = await import('./db/open-database.js');
      const { migrate } = await import('./db/migrator.js');
      const database = await openDatabase(config.database);
      try {
        const report = await migrate(database);
        console.log(report.applied.length > 0 ? `applied: ${report.applied.join(', ')}` : 'the database is up to date');
      } finally {
        await database.close();
      }
      return 0;
    }
    const { serveInWorkers } = await import('./cluster.js');
    await serveInWorkers(config.workers, logger, async () => {
      // One serving process: stops on SIGTERM/SIGINT after the requests in flight.
      const service = await startService(config, logger);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'draining in-flight requests, then stopping');
        service.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'unclean stop');
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
    if (error instanceof ConfigError) {
      console.error(`replicat: ${error.message}`);
      return 2;
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
