import { CompiledQuery, Kysely } from 'kysely';
import type { DatabaseHandle } from '../database-handle';
import type { Database, Db } from '../schema';
import { PgliteWorkerDialect } from './pglite-driver';
import { PgliteSession } from './pglite-session';

export interface PgliteOptions {
  /** A directory to persist in, or undefined for a throw-away in-memory database (tests). */
  readonly dataDir: string | undefined;
  /** How long one statement may run (see `PgliteSession` for what happens then); 0: no limit. */
  readonly statementTimeoutMs: number;
}

/**
 * The embedded default: PostgreSQL compiled to WebAssembly, one session, run in a worker thread so a
 * costly statement neither stalls the service's thread nor outlives its deadline.
 */
export async function openPglite(options: PgliteOptions): Promise<DatabaseHandle> {
  const session = await PgliteSession.open(options);
  const dialect = new PgliteWorkerDialect(session);
  const db = new Kysely<Database>({ dialect });
  return {
    db,
    dialect: 'pglite',
    async executeScript(_session: Db, script: string) {
      // The caller holds the only connection (kysely's checkout), so the script runs inside its transaction.
      await dialect.executeScript(script);
    },
    async ping() {
      await db.executeQuery(CompiledQuery.raw('SELECT 1'));
    },
    async close() {
      await db.destroy();
    },
  };
}
