import { setTimeout as sleep } from 'node:timers/promises';
import { CompiledQuery } from 'kysely';
import type { PostgresHandle } from '../postgres/postgres-database';
import type { DistributionState, ReadRouting, ReadTarget, ReplicaCondition, ReplicaState } from '../read-routing';
import type { Db } from '../schema';
import { formatWalPosition, parseWalPosition, type WalPosition } from './wal-position';

export interface ReplicaRouterOptions {
  readonly primary: PostgresHandle;
  readonly replicas: readonly { readonly server: string; readonly handle: PostgresHandle }[];
  /** A replica further behind than this is skipped by reads without a token. */
  readonly maxLagMs: number;
  /** How long a read with a token waits for a replica to replay that far before going to the primary. */
  readonly waitMs: number;
  /** How often the primary's WAL position and each replica's replay are read. */
  readonly checkEveryMs: number;
  /** Changes worth a log line: a replica down, back, lagging, refused. */
  readonly onEvent?: (level: 'info' | 'warn' | 'error', message: string, details: Readonly<Record<string, unknown>>) => void;
}

/** Refused at start: a configured replica that is not a standby of this primary. */
export class ReplicaRefused extends Error {}

interface Replica {
  readonly server: string;
  readonly handle: PostgresHandle;
  condition: ReplicaCondition;
  reason: string | undefined;
  replayed: WalPosition | undefined;
  lagMs: number | undefined;
}

/** The primary's WAL position at a moment: what lag is measured against. */
interface Sample {
  readonly at: number;
  readonly position: WalPosition;
}

const SAMPLES_KEPT = 240;
const IDENTITY = CompiledQuery.raw(
  'SELECT (SELECT system_identifier FROM pg_control_system())::text AS system, current_database() AS database, pg_is_in_recovery() AS recovery, ' +
    '(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS position',
);
const REPLAYED = CompiledQuery.raw('SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS position');
const INSERTED = CompiledQuery.raw('SELECT pg_current_wal_insert_lsn()::text AS position');

/**
 * Read-only requests to streaming replicas, everything else to the primary (PostgreSQL's own streaming
 * replication does the copying; nothing here replicates). Every `checkEveryMs` the primary's WAL
 * position is sampled and each replica's replay position read; a replica's lag is how long ago the
 * primary was last at a position the replica has not yet replayed past. A read goes to the least busy
 * replica that is up, lags no more than `maxLagMs` (ignored while the primary is down: then the replicas
 * hold the newest catalog there is) and, when the client sent a token, has replayed that far; with a
 * token and no such replica it waits up to `waitMs`, reading replay positions afresh, then takes the
 * primary.
 *
 * A replica whose system identifier (pg_control_system) or database name differs from the primary's
 * is someone else's catalog and is never read: at start that stops the service, later it is refused.
 */
export class ReplicaRouter implements ReadRouting {
  readonly #options: ReplicaRouterOptions;
  readonly #replicas: Replica[];
  readonly #samples: Sample[] = [];
  readonly #reads: Record<ReadTarget, number> = { replica: 0, primary_no_replica: 0, primary_lagging: 0, primary_token_wait: 0 };
  #identity: { system: string; database: string } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #refreshing: Promise<void> | undefined;
  #tokenReading: Promise<string | undefined> | undefined;
  #tokenQueued: Promise<string | undefined> | undefined;
  #next = 0;

  constructor(options: ReplicaRouterOptions) {
    this.#options = options;
    this.#replicas = options.replicas.map((r) => ({ ...r, condition: 'starting', reason: undefined, replayed: undefined, lagMs: undefined }));
  }

  async start(): Promise<void> {
    await this.#check();
    const refused = this.#replicas.find((r) => r.condition === 'refused');
    if (refused !== undefined) throw new ReplicaRefused(`DATABASE_READ_URL: ${refused.server} ${refused.reason ?? 'is refused'}`);
    if (this.#replicas.length > 0) {
      this.#timer = setInterval(() => void this.#check(), this.#options.checkEveryMs);
      this.#timer.unref();
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async readSession(after: WalPosition | undefined): Promise<Db> {
    if (this.#replicas.length === 0) return this.#toPrimary('primary_no_replica');
    let chosen = this.#choose(after);
    if (chosen.replica === undefined && chosen.why === 'primary_token_wait') {
      const deadline = Date.now() + this.#options.waitMs;
      while (chosen.replica === undefined && chosen.why === 'primary_token_wait' && Date.now() < deadline) {
        await this.#refreshReplayed();
        chosen = this.#choose(after);
        if (chosen.replica === undefined) await sleep(5);
      }
    }
    if (chosen.replica === undefined) return this.#toPrimary(chosen.why);
    this.#reads.replica++;
    return chosen.replica.handle.db;
  }

  /**
   * One query at a time: callers arriving while one is in flight share the next one, which starts
   * after their commits — any position read after a commit is at or past it.
   */
  writeToken(): Promise<string | undefined> {
    if (this.#tokenReading === undefined) {
      this.#tokenReading = this.#readInserted().finally(() => {
        this.#tokenReading = undefined;
      });
      return this.#tokenReading;
    }
    this.#tokenQueued ??= this.#tokenReading.then(() => {
      this.#tokenQueued = undefined;
      return this.writeToken();
    });
    return this.#tokenQueued;
  }

  describe(): DistributionState {
    const primary = this.#options.primary;
    const outage = primary.outage();
    return {
      primary: { server: primary.server(), state: outage === undefined ? 'up' : 'down', ...(outage !== undefined ? { reason: outage } : {}), statements: primary.statements() },
      replicas: this.#replicas.map(
        (r): ReplicaState => ({
          server: r.server,
          state: r.condition,
          ...(r.lagMs !== undefined ? { lagMs: r.lagMs } : {}),
          ...(r.replayed !== undefined ? { replayed: formatWalPosition(r.replayed) } : {}),
          ...(r.reason !== undefined ? { reason: r.reason } : {}),
          pool: r.handle.poolStats?.() ?? { max: 0, total: 0, idle: 0, waiting: 0 },
          statements: r.handle.statements(),
        }),
      ),
      reads: { ...this.#reads },
    };
  }

  #toPrimary(why: ReadTarget): Db {
    this.#reads[why]++;
    return this.#options.primary.db;
  }

  #choose(after: WalPosition | undefined): { replica?: Replica; why: ReadTarget } {
    const primaryDown = this.#options.primary.outage() !== undefined;
    const serving = this.#replicas.filter((r) => (r.condition === 'up' || r.condition === 'lagging') && r.handle.outage() === undefined);
    if (serving.length === 0) return { why: 'primary_no_replica' };
    const fresh = primaryDown ? serving : serving.filter((r) => r.condition === 'up');
    if (fresh.length === 0) return { why: 'primary_lagging' };
    const caughtUp = after === undefined ? fresh : fresh.filter((r) => r.replayed !== undefined && r.replayed >= after);
    if (caughtUp.length === 0) return { why: 'primary_token_wait' };
    return { replica: this.#leastBusy(caughtUp), why: 'replica' };
  }

  /** The replica with the fewest connections in use; ties taken in turn. */
  #leastBusy(replicas: readonly Replica[]): Replica {
    const start = this.#next++ % replicas.length;
    let best = replicas[start]!;
    let bestBusy = busy(best);
    for (let i = 1; i < replicas.length; i++) {
      const candidate = replicas[(start + i) % replicas.length]!;
      const load = busy(candidate);
      if (load < bestBusy) [best, bestBusy] = [candidate, load];
    }
    return best;
  }

  async #readInserted(): Promise<string | undefined> {
    try {
      const { rows } = await this.#options.primary.db.executeQuery<{ position: string }>(INSERTED);
      return rows[0]?.position;
    } catch {
      // The write did commit; the answer goes out without a token rather than fail.
      return undefined;
    }
  }

  #check(): Promise<void> {
    this.#checking ??= this.#checkAll().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  async #checkAll(): Promise<void> {
    await this.#samplePrimary();
    await Promise.all(this.#replicas.filter((r) => r.condition !== 'refused').map((r) => this.#checkReplica(r)));
  }

  async #samplePrimary(): Promise<void> {
    const primary = this.#options.primary;
    if (primary.outage() !== undefined) return;
    try {
      const { rows } = await primary.db.executeQuery<{ system: string; database: string; position: string }>(IDENTITY);
      const row = rows[0];
      if (row === undefined) return;
      this.#identity = { system: row.system, database: row.database };
      const position = parseWalPosition(row.position);
      if (position === undefined) return;
      this.#samples.push({ at: Date.now(), position });
      if (this.#samples.length > SAMPLES_KEPT) this.#samples.splice(0, this.#samples.length - SAMPLES_KEPT);
    } catch {
      // the primary's own gate and requests report it
    }
  }

  async #checkReplica(replica: Replica): Promise<void> {
    let row: { system: string; database: string; position: string | null } | undefined;
    try {
      row = (await replica.handle.db.executeQuery<{ system: string; database: string; position: string | null }>(IDENTITY)).rows[0];
    } catch (error) {
      this.#set(replica, 'down', error instanceof Error ? error.message : String(error));
      return;
    }
    if (row === undefined) return;
    const identity = this.#identity;
    if (identity !== undefined && row.system !== identity.system) {
      this.#set(replica, 'refused', `is not a standby of the primary: its system identifier is ${row.system}, the primary's ${identity.system} (another PostgreSQL cluster)`);
      return;
    }
    if (identity !== undefined && row.database !== identity.database) {
      this.#set(replica, 'refused', `names the database ${row.database}, the primary's is ${identity.database}`);
      return;
    }
    if (identity === undefined && replica.condition === 'starting') return; // the primary not reached yet: nothing to compare with
    replica.replayed = row.position === null ? undefined : parseWalPosition(row.position);
    replica.lagMs = replica.replayed === undefined ? undefined : this.#lagOf(replica.replayed);
    const lagging = replica.lagMs === undefined || replica.lagMs > this.#options.maxLagMs;
    this.#set(replica, lagging ? 'lagging' : 'up', lagging ? `replay ${replica.lagMs === undefined ? 'position unknown' : `${replica.lagMs} ms behind`}` : undefined);
  }

  /** Reads the replay positions now: a read with a token is waiting for one to catch up. */
  #refreshReplayed(): Promise<void> {
    this.#refreshing ??= Promise.all(
      this.#replicas
        .filter((r) => r.condition === 'up' && r.handle.outage() === undefined)
        .map(async (r) => {
          try {
            const position = (await r.handle.db.executeQuery<{ position: string | null }>(REPLAYED)).rows[0]?.position;
            const replayed = position == null ? undefined : parseWalPosition(position);
            if (replayed !== undefined && (r.replayed === undefined || replayed > r.replayed)) r.replayed = replayed;
          } catch {
            // the next check marks it down
          }
        }),
    )
      .then(() => undefined)
      .finally(() => {
        this.#refreshing = undefined;
      });
    return this.#refreshing;
  }

  /** Since when the primary has been past `replayed`: 0 when the replica replayed all it was last seen at. */
  #lagOf(replayed: WalPosition): number {
    const samples = this.#samples;
    const newest = samples[samples.length - 1];
    if (newest === undefined || replayed >= newest.position) return 0;
    // The newest sample the replica has replayed past: the primary moved on from there after it.
    for (let i = samples.length - 2; i >= 0; i--) {
      if (samples[i]!.position <= replayed) return Date.now() - samples[i]!.at;
    }
    return Date.now() - samples[0]!.at;
  }

  #set(replica: Replica, condition: ReplicaCondition, reason: string | undefined): void {
    const was = replica.condition;
    replica.condition = condition;
    replica.reason = reason;
    if (condition === 'down') replica.lagMs = undefined;
    if (was === condition) return;
    const details = { replica: replica.server, ...(reason !== undefined ? { reason } : {}), ...(replica.lagMs !== undefined ? { lagMs: replica.lagMs } : {}) };
    const log = this.#options.onEvent;
    switch (condition) {
      case 'up':
        log?.('info', `read replica ${replica.server} serves reads`, details);
        break;
      case 'lagging':
        log?.('warn', `read replica ${replica.server} lags; its reads go elsewhere`, details);
        break;
      case 'down':
        log?.('warn', `read replica ${replica.server} does not answer; its reads go elsewhere until it does`, details);
        break;
      case 'refused':
        log?.('error', `read replica ${replica.server} ${reason ?? 'is refused'}; it is never read`, details);
        break;
      case 'starting':
        break;
    }
  }
}

function busy(replica: Replica): number {
  const pool = replica.handle.poolStats?.();
  return pool === undefined ? 0 : pool.total - pool.idle + pool.waiting;
}
