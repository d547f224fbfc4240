import { CompiledQuery, Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { DatabaseHandle } from '../database-handle';
import type { Database, Db } from '../schema';
import { OutageGate } from './outage-gate';
import { makeTimestampParser } from './timestamp-parser';

export interface PostgresOptions {
  readonly url: string;
  readonly poolSize: number;
  /** How long to wait for a connection before the request fails as Unavailable. */
  readonly connectTimeoutMs: number;
  /** Upper bound for one statement, so a costly or stuck statement turns into an error instead of a hang; 0: none. */
  readonly statementTimeoutMs: number;
}

/**
 * How much longer than the server's statement_timeout the client waits for an answer. The server's
 * own timeout normally wins (a clean error, the transaction rolled back); the client's only fires when
 * the server cannot answer at all (paused, network partition), where nothing else would end the wait.
 */
const READ_GRACE_MS = 2000;

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
    ...(options.statementTimeoutMs > 0
      ? { statement_timeout: options.statementTimeoutMs, query_timeout: options.statementTimeoutMs + READ_GRACE_MS }
      : {}),
    idleTimeoutMillis: 30_000,
    // A server that vanished without closing its sockets is noticed on idle connections too.
    keepAlive: true,
    // Timestamps arrive in UTC, the form the fast parser reads.
    options: '-c TimeZone=UTC',
    types,
  });
  // A dropped idle connection must not take the process down; the next checkout reconnects.
  pool.on('error', () => undefined);
  const gate = new OutageGate({ url: options.url, probeEveryMs: 500, probeTimeoutMs: Math.min(options.connectTimeoutMs, 2000) });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: guardedPool(pool, gate) }) });
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
    poolStats() {
      return { max: options.poolSize, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
    },
    async close() {
      gate.close();
      await db.destroy();
    },
  };
}

/**
 * The pool as kysely sees it, with two guards. A connection whose query timed out on the client side,
 * or that reported an error, is closed instead of reused: a late answer may still arrive on it, and the
 * next query must not queue behind it (or wait on a socket that will never speak again). And while the
 * outage gate knows the server is down, checkouts fail at once instead of waiting for the timeouts.
 */
function guardedPool(pool: pg.Pool, gate: OutageGate): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      gate.check();
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        gate.observe(error);
        throw error;
      }
      let broken = false;
      // pg leaves a checked-out client's 'error' event to its user. The server ending the session (a
      // restart, an administrator's pg_terminate_backend) emits one, and unheard it would kill the
      // process; the query in flight fails on its own, and the connection is not reused.
      const onError = () => {
        broken = true;
      };
      client.on('error', onError);
      const query = (first: unknown, parameters?: readonly unknown[]) => {
        if (typeof first !== 'string') return client.query(first as pg.Submittable);
        // After a read timeout the connection is still busy with the lost query: the ROLLBACK that
        // follows would wait behind it for a whole timeout more.
        if (broken) return Promise.reject(new Error('Connection terminated: an earlier query on this connection timed out'));
        return client.query(first, parameters as unknown[]).catch((error: unknown) => {
          if (error instanceof Error && error.message === 'Query read timeout') broken = true;
          gate.observe(error);
          throw error;
        });
      };
      return {
        query: query as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => {
          client.removeListener('error', onError);
          client.release(destroy === true || broken);
        },
      };
    },
    end: () => pool.end(),
  };
}
