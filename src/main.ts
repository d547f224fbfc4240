#!/usr/bin/env node
import { ConfigError, loadConfig } from './config';
import { migrate } from './db/migrator';
import { StartupError } from './ops/startup-error';
import { makeLogger, openCheckedDatabase, startService } from './service';

const USAGE = `usage: replicat <command>

commands:
  serve     run the catalog service (REST on PORT, default 8080; HTTPS with client certificates on
            TLS_PORT, default 8443, when TLS_CERT and TLS_KEY are set)
  migrate   apply pending database migrations and exit

The database is PostgreSQL when DATABASE_URL is set, else the embedded PGlite in REPLICAT_DATA (./var/data).`;

async function main(argv: readonly string[]): Promise<number> {
  const command = argv[0] ?? 'serve';
  if (command === '-h' || command === '--help' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  const logger = makeLogger(config.logLevel);
  switch (command) {
    case 'serve': {
      // A stray error must leave one structured line in the log, not a bare stack on stderr.
      process.on('uncaughtException', (error) => {
        logger.fatal({ err: error }, 'uncaught exception; exiting');
        process.exit(1);
      });
      process.on('unhandledRejection', (error) => {
        logger.fatal({ err: error }, 'unhandled promise rejection; exiting');
        process.exit(1);
      });
      const service = await startService(config, logger);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal, drainTimeoutMs: config.http.drainTimeoutMs }, 'stopped accepting connections; draining requests in flight');
        service.stop().then(
          ({ drained }) => {
            if (drained) logger.info({ signal }, 'drained; stopped');
            else logger.warn({ signal }, `requests still in flight after ${config.http.drainTimeoutMs} ms were cut; stopped`);
            process.exit(drained ? 0 : 1);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'unclean stop');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      return -1;
    }
    case 'migrate': {
      const database = await openCheckedDatabase(config);
      try {
        const report = await migrate(database);
        console.log(report.applied.length > 0 ? `applied: ${report.applied.join(', ')}` : 'the database is up to date');
      } finally {
        await database.close();
      }
      return 0;
    }
    default:
      console.error(`replicat: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    // Configuration and environment problems are one line naming what to fix; anything else is a bug
    // and keeps its stack.
    const expected = error instanceof ConfigError || error instanceof StartupError;
    console.error(`replicat: ${expected ? error.message : error instanceof Error ? error.stack : String(error)}`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
