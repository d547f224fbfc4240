import type { DatabaseConfig } from '../config';
import type { DatabaseHandle } from './database-handle';
import { openPglite } from './pglite/pglite-database';
import { openRoutedPostgres } from './routing/open-routed-postgres';
import type { ReplicaRouterOptions } from './routing/replica-router';

/**
 * PostgreSQL (with its read replicas, if any) when a URL is configured, else the embedded PGlite under
 * the data directory. `onEvent` hears of replicas going down, coming back, lagging or being refused.
 */
export async function openDatabase(config: DatabaseConfig, onEvent?: ReplicaRouterOptions['onEvent']): Promise<DatabaseHandle> {
  switch (config.kind) {
    case 'postgres':
      return openRoutedPostgres({ ...config, ...(onEvent !== undefined ? { onEvent } : {}) });
    case 'pglite':
      return openPglite({ dataDir: config.dataDir, statementTimeoutMs: config.statementTimeoutMs });
  }
}
