import { CompiledQuery, Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { DatabaseHandle, PoolStats } from '../database-handle';
import type { Database, Db } from '../schema';
import { isMultiHost, parsePostgresUrl, redactPostgresUrl, serverName } from './multi-host-url';
import { OutageGate } from './outage-gate';
import { PrimaryPool, type ConnectionPool } from './primary-pool';
import { makeTimestampParser } from './timestamp-parser';

export interface PostgresOptions {
  /** One server, or several in libpq's multi-host form: then the writable one is used (primary-pool.ts). */
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

/** A PostgreSQL handle, with what the read routing and /readyz need to know of its server. */
export interface PostgresHandle extends DatabaseHandle {
  poolStats(): PoolStats;
  /** Why the server is known to be down (its outage gate is closed), or undefined. */
  outage(): string | undefined;
  /** `host:port` of the server in use: with several listed, the primary found last. */
  server(): string;
  /** Statements sent so far, for /metrics. */
  statements(): number;
}

export function openPostgres(options: PostgresOptions): PostgresHandle {
  const multiHost = isMultiHost(options.url);
  const primary = multiHost
    ? new PrimaryPool({ url: parsePostgresUrl(options.url), makePool: (url) => makePool(url, options), probeTimeoutMs: Math.min(options.connectTimeoutMs, 2000) })
    : undefined;
  const pool: ConnectionPool = primary ?? makePool(options.url, options);
  const probeTimeoutMs = Math.min(options.connectTimeoutMs, 2000);
  const gate = new OutageGate({ url: options.url, probeEveryMs: 500, probeTimeoutMs, ...(primary ? { probe: () => primary.findPrimary() } : {}) });
  const counter = { statements: 0 };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: guardedPool(pool, gate, counter) }) });
  const single = multiHost ? undefined : singleServerName(options.url);
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
    outage: () => gate.reason,
    server: () => single ?? primary?.server ?? '(none writable yet)',
    statements: () => counter.statements,
    async close() {
      gate.close();
      await db.destroy();
    },
  };
}

function singleServerName(url: string): string {
  try {
    const parsed = parsePostgresUrl(url);
    return parsed.servers.length === 1 ? serverName(parsed.servers[0]!) : redactPostgresUrl(url);
  } catch {
    return redactPostgresUrl(url);
  }
}

function makePool(url: string, options: PostgresOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
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
  return pool;
}

/**
 * The pool as kysely sees it, with two guards. A connection whose query timed out on the client side,
 * or that reported an error, is closed instead of reused: a late answer may still arrive on it, and the
 * next query must not queue behind it (or wait on a socket that will never speak again). And while the
 * outage gate knows the server is down, checkouts fail at once instead of waiting for the timeouts.
 */
function guardedPool(pool: ConnectionPool, gate: OutageGate, counter: { statements: number }): PostgresPool {
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
        counter.statements++;
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
