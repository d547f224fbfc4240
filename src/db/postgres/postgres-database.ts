import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseHandle } from '../database-handle';
import type { Database, Db } from '../schema';
import { makeTimestampParser } from './timestamp-parser';

export interface PostgresOptions {
  readonly url: string;
  readonly poolSize: number;
  /** How long to wait for a connection before the request fails as Unavailable. */
  readonly connectTimeoutMs: number;
  /** Upper bound for one statement, so a stuck database turns into an error instead of a hang. */
  readonly statementTimeoutMs: number;
}

const INT8_OID = 20;
const TIMESTAMPTZ_OID = 1184;
const parseTimestamp = makeTimestampParser(pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text'));

const types = {
  getTypeParser(oid: number, format?: string) {
    // Sizes are bytes below 2^53; parsing int8 as a number keeps the domain types free of strings.
    if (oid === INT8_OID) return (value: string) => Number(value);
    if (oid === TIMESTAMPTZ_OID) return parseTimestamp;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export function openPostgres(options: PostgresOptions): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    // Timestamps arrive in UTC, the form the fast parser reads.
    options: '-c TimeZone=UTC',
    types,
  });
  // A dropped idle connection must not take the process down; the next checkout reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    async executeScript(session: Db, script: string) {
      // No parameters: pg sends it with the simple query protocol, which runs several statements.
      await session.executeQuery(CompiledQuery.raw(script));
    },
    async ping() {
      await db.executeQuery(CompiledQuery.raw('SELECT 1'));
    },
    async close() {
      await db.destroy();
    },
  };
}
