import { mkdirSync } from 'node:fs';
import { PGlite, types } from '@electric-sql/pglite';
import { CompiledQuery, Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { DatabaseHandle } from '../database-handle';
import type { Database, Db } from '../schema';

export interface PgliteOptions {
  /** A directory to persist in, or undefined for a throw-away in-memory database (tests). */
  readonly dataDir: string | undefined;
}

/**
 * The embedded default: PostgreSQL compiled to WebAssembly, in-process, one session. The dialect
 * serializes kysely's connection checkouts, so transactions never interleave on that one session.
 */
export async function openPglite(options: PgliteOptions): Promise<DatabaseHandle> {
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    parsers: { [types.INT8]: (value: string) => Number(value) },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    dialect: 'pglite',
    async executeScript(_session: Db, script: string) {
      // The caller holds the only session (kysely's checkout), so exec runs inside its transaction.
      await pglite.exec(script);
    },
    async ping() {
      await db.executeQuery(CompiledQuery.raw('SELECT 1'));
    },
    async close() {
      await db.destroy();
    },
  };
}
