import type { ReadRouting } from './read-routing';
import type { Db } from './schema';

export type DialectName = 'postgres' | 'pglite';

/**
 * One open database, whatever the engine. Each engine lives in its own folder (`postgres/`, `pglite/`)
 * behind this small interface, the way kysely keeps its dialects.
 */
export interface DatabaseHandle {
  readonly db: Db;
  readonly dialect: DialectName;
  /**
   * Runs a multi-statement SQL script (a migration) on the session of `db`, which must be a
   * connection or transaction obtained from this handle. Scripts take no parameters.
   */
  executeScript(db: Db, script: string): Promise<void>;
  /** Resolves when the database answers a trivial query; used by /readyz. */
  ping(): Promise<void>;
  /** Connection pool use, for /metrics; absent for engines without a pool (PGlite is one session). */
  poolStats?(): PoolStats;
  /** Read replicas and consistency tokens (PostgreSQL); absent: every request runs on `db`. */
  readonly routing?: ReadRouting;
  close(): Promise<void>;
}

export interface PoolStats {
  /** The most connections the pool opens. */
  readonly max: number;
  /** Connections open now, busy or idle. */
  readonly total: number;
  readonly idle: number;
  /** Checkouts waiting for a connection. */
  readonly waiting: number;
}
