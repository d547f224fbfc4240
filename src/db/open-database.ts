import type { DatabaseConfig } from '../config';
import type { DatabaseHandle } from './database-handle';
import { openPglite } from './pglite/pglite-database';
import { openPostgres } from './postgres/postgres-database';

/** PostgreSQL when a URL is configured, else the embedded PGlite under the data directory. */
export async function openDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  switch (config.kind) {
    case 'postgres':
      return openPostgres(config);
    case 'pglite':
      return openPglite({ dataDir: config.dataDir, statementTimeoutMs: config.statementTimeoutMs });
  }
}
