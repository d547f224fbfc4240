#!/usr/bin/env node
import { serveInWorkers } from './cluster';
import { ConfigError, loadConfig, type Config } from './config';
import type { Logger } from 'pino';
import { migrate } from './db/migrator';
import { openDatabase } from './db/open-database';
import { makeLogger, startService } from './service';

const USAGE = `usage: replicat <command>

commands:
  serve     run the catalog service (REST on PORT, default 8080; HTTPS with client certificates on
            TLS_PORT, default 8443, when TLS_CERT and TLS_KEY are set)
            --workers N: N processes on the same port (as REPLICAT_WORKERS; needs PostgreSQL)
  migrate   apply pending database migrations and exit

The database is PostgreSQL when DATABASE_URL is set, else the embedded PGlite in REPLICAT_DATA (./var/data).`;

async function main(argv: readonly string[]): Promise<number> {
  const command = argv[0] ?? 'serve';
  if (command === '-h' || command === '--help' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  const workersAt = argv.indexOf('--workers');
  const config = loadConfig(workersAt > 0 ? { ...process.env, REPLICAT_WORKERS: argv[workersAt + 1] ?? '' } : process.env);
  const logger = makeLogger(config.logLevel);
  switch (command) {
    case 'serve': {
      await serveInWorkers(config.workers, logger, () => serve(config, logger));
      return -1;
    }
    case 'migrate': {
      const database = await openDatabase(config.database);
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

/** One serving process: stops on SIGTERM/SIGINT after the requests in flight. */
async function serve(config: Config, logger: Logger): Promise<void> {
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
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`replicat: ${error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error)}`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
