import type { WalPosition } from './routing/wal-position';
import type { PoolStats } from './database-handle';
import type { Db } from './schema';

/**
 * Where the reads of a request go when the catalog has read replicas (PostgreSQL streaming standbys),
 * and the token that lets a client read its own writes on them. Engines without replicas (PGlite) have
 * none: every request runs on the one database.
 */
export interface ReadRouting {
  /**
   * The database a read-only request runs on: a replica that has replayed `after` (a position a write's
   * answer gave the client) and lags no more than allowed, waiting a bounded time for one to catch up;
   * else the primary.
   */
  readSession(after: WalPosition | undefined): Promise<Db>;
  /** After a write committed: a WAL position at or past its commit, as `16/B374D848`; undefined if it cannot be read now. */
  writeToken(): Promise<string | undefined>;
  /** The primary and each replica with its state and lag, for /readyz and /metrics. */
  describe(): DistributionState;
  /** Refuses replicas that are not standbys of this primary (another database altogether); at start. */
  start(): Promise<void>;
}

export type ReplicaCondition = 'starting' | 'up' | 'lagging' | 'down' | 'refused';

export interface ReplicaState {
  /** `host:port/database` of the replica. */
  readonly server: string;
  readonly state: ReplicaCondition;
  /** How far behind the primary its replay is, in ms (measured against the primary's WAL position over time). */
  readonly lagMs?: number;
  readonly replayed?: string;
  readonly reason?: string;
  readonly pool: PoolStats;
  readonly statements: number;
}

export interface DistributionState {
  readonly primary: { readonly server: string; readonly state: 'up' | 'down'; readonly reason?: string; readonly statements: number };
  readonly replicas: readonly ReplicaState[];
  /** Read-only requests sent to a replica, and to the primary by why. */
  readonly reads: Readonly<Record<ReadTarget, number>>;
}

/**
 * Where a read-only request went: a replica; or the primary because no replica is configured or
 * serving, every serving one lags too far, or none replayed the client's token within the wait.
 */
export type ReadTarget = 'replica' | 'primary_no_replica' | 'primary_lagging' | 'primary_token_wait';
