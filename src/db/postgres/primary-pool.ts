import pg from 'pg';
import { serverName, type PostgresServer, type PostgresUrl } from './multi-host-url';

/** What the guarded pool needs of a pool: pg.Pool, or a PrimaryPool standing for one. */
export interface ConnectionPool {
  connect(): Promise<pg.PoolClient>;
  end(): Promise<void>;
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

export interface PrimaryPoolOptions {
  readonly url: PostgresUrl;
  /** A pool for one server's single-host URL. */
  readonly makePool: (url: string) => pg.Pool;
  /** How long one server may take to answer whether it is writable. */
  readonly probeTimeoutMs: number;
}

interface InUse {
  readonly server: PostgresServer;
  readonly pool: pg.Pool;
}

/**
 * The pool of a multi-host DATABASE_URL: connections go to the writable server among those listed, found
 * by asking each in order what libpq's `target_session_attrs=read-write` asks (`pg_is_in_recovery()`,
 * `transaction_read_only`). After a failover `findPrimary()` — run by the outage gate's probe once the
 * old primary stopped answering or refused a write — finds the promoted one and moves the pool there,
 * without a restart.
 *
 * ```ts
 * const pool = new PrimaryPool({ url: parsePostgresUrl(url), makePool: (u) => new pg.Pool({ connectionString: u }), probeTimeoutMs: 2000 });
 * const client = await pool.connect();   // on the primary, whichever server it is now
 * ```
 */
export class PrimaryPool implements ConnectionPool {
  readonly #options: PrimaryPoolOptions;
  #inUse: InUse | undefined;
  #finding: Promise<InUse> | undefined;
  #ended = false;

  constructor(options: PrimaryPoolOptions) {
    this.#options = options;
  }

  /** `host:port` of the primary in use, or undefined before one was found. */
  get server(): string | undefined {
    return this.#inUse === undefined ? undefined : serverName(this.#inUse.server);
  }

  async connect(): Promise<pg.PoolClient> {
    const inUse = this.#inUse ?? (await this.findPrimary());
    return inUse.pool.connect();
  }

  /**
   * Asks every server in order and moves to the first writable one; one search at a time. Fails, with
   * a connection error's code (08001) and each server's reason, when none is writable.
   */
  findPrimary(): Promise<InUse> {
    this.#finding ??= this.#find().finally(() => {
      this.#finding = undefined;
    });
    return this.#finding;
  }

  get totalCount(): number {
    return this.#inUse?.pool.totalCount ?? 0;
  }

  get idleCount(): number {
    return this.#inUse?.pool.idleCount ?? 0;
  }

  get waitingCount(): number {
    return this.#inUse?.pool.waitingCount ?? 0;
  }

  async end(): Promise<void> {
    this.#ended = true;
    await this.#inUse?.pool.end();
    this.#inUse = undefined;
  }

  async #find(): Promise<InUse> {
    const reasons: string[] = [];
    for (const server of this.#options.url.servers) {
      const reason = await this.#notWritable(server);
      if (reason !== undefined) {
        reasons.push(`${serverName(server)}: ${reason}`);
        continue;
      }
      if (this.#ended) throw new Error('the pool has ended');
      const old = this.#inUse;
      if (old !== undefined && serverName(old.server) === serverName(server)) return old;
      const inUse = { server, pool: this.#options.makePool(this.#options.url.urlOf(server)) };
      this.#inUse = inUse;
      // Connections of the old primary are closed as they come back; none is handed out again.
      if (old !== undefined) void old.pool.end().catch(() => undefined);
      return inUse;
    }
    throw Object.assign(new Error(`no writable PostgreSQL server: ${reasons.join('; ')}`), { code: '08001' });
  }

  /** Undefined when the server is a writable primary; else why not. */
  async #notWritable(server: PostgresServer): Promise<string | undefined> {
    const timeout = this.#options.probeTimeoutMs;
    const client = new pg.Client({ connectionString: this.#options.url.urlOf(server), connectionTimeoutMillis: timeout, query_timeout: timeout });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ recovery: boolean; read_only: string }>(
        "SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') AS read_only",
      );
      const row = rows[0];
      if (row?.recovery === true) return 'a standby (in recovery)';
      if (row?.read_only !== 'off') return 'read-only (transaction_read_only is on)';
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      void client.end().catch(() => undefined);
    }
  }
}
