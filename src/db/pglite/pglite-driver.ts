import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { Statement, StatementResult } from './pglite-protocol';
import { SessionFailure, StatementTimeout, type PgliteSession } from './pglite-session';

/**
 * kysely's view of the PGlite session in its worker thread: PostgreSQL's SQL, one connection. Each
 * checkout waits for the previous one to be released, so transactions never interleave on the session.
 *
 * ```ts
 * const db = new Kysely<Database>({ dialect: new PgliteWorkerDialect(await PgliteSession.open(options)) });
 * ```
 */
export class PgliteWorkerDialect implements Dialect {
  readonly #driver: PgliteDriver;

  constructor(session: PgliteSession) {
    this.#driver = new PgliteDriver(session);
  }

  /**
   * Runs a parameterless multi-statement script (a migration) on the connection checked out now: the
   * caller must hold it (be inside a transaction or connection of this dialect's Kysely).
   */
  executeScript(script: string): Promise<void> {
    return this.#driver.executeScript(script);
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return this.#driver;
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

class PgliteDriver implements Driver {
  readonly #session: PgliteSession;
  readonly #lock = new Turns();
  /** The connection checked out now. */
  #holder: PgliteConnection | undefined;

  constructor(session: PgliteSession) {
    this.#session = session;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#lock.take();
    this.#holder = new PgliteConnection(this.#session);
    return this.#holder;
  }

  async executeScript(script: string): Promise<void> {
    if (this.#holder === undefined) throw new Error('executeScript runs on a checked-out connection (inside a transaction)');
    await this.#holder.executeScript(script);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await (connection as PgliteConnection).begin(settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgliteConnection).commit();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgliteConnection).rollback();
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    // After a statement passed its deadline its caller is answered at once, but the next checkout
    // waits until the session is free again (the statement ended, or the database was reopened).
    if (connection === this.#holder) this.#holder = undefined;
    void (connection as PgliteConnection).quiet().then(() => this.#lock.pass());
  }

  async destroy(): Promise<void> {
    await this.#session.close();
  }
}

/** One checkout of the session. */
class PgliteConnection implements DatabaseConnection {
  readonly #session: PgliteSession;
  /** The session generation the open transaction began in; undefined outside a transaction. */
  #transaction: number | undefined;
  #overrun: StatementTimeout | undefined;
  #quiet: Promise<void> = Promise.resolve();

  constructor(session: PgliteSession) {
    this.#session = session;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#run({ kind: 'query', sql: query.sql, parameters: query.parameters });
    const rows = result.rows as R[];
    // As kysely's own PostgreSQL driver: a row count only for statements that touched rows.
    return result.affectedRows ? { numAffectedRows: BigInt(result.affectedRows), rows } : { rows };
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize = 1000): AsyncIterableIterator<QueryResult<R>> {
    // PGlite has no cursors across the thread boundary; the codebase pages with keyset queries instead.
    const { rows } = await this.executeQuery<R>(query);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }

  async begin(settings: TransactionSettings): Promise<void> {
    const modes = [
      ...(settings.isolationLevel !== undefined ? [`isolation level ${settings.isolationLevel}`] : []),
      ...(settings.accessMode !== undefined ? [settings.accessMode] : []),
    ];
    await this.#run({ kind: 'query', sql: `start transaction ${modes.join(', ')}`, parameters: [] });
    this.#transaction = this.#session.generation;
  }

  async commit(): Promise<void> {
    await this.#run({ kind: 'query', sql: 'commit', parameters: [] });
    this.#transaction = undefined;
  }

  async rollback(): Promise<void> {
    const began = this.#transaction;
    this.#transaction = undefined;
    if (this.#overrun !== undefined) {
      // The statement may still be running (in memory): roll back once it ended, if the session was
      // not restarted meanwhile (which rolled the transaction back already).
      this.#quiet = this.#session
        .settled()
        .then(() => (this.#session.generation === began ? this.#session.run({ kind: 'query', sql: 'rollback', parameters: [] }) : undefined))
        .then(
          () => undefined,
          () => undefined,
        );
      return;
    }
    if (began !== undefined && began !== this.#session.generation) return;
    await this.#session.run({ kind: 'query', sql: 'rollback', parameters: [] });
  }

  /** Resolves when the session is free for the next checkout. */
  quiet(): Promise<void> {
    return this.#overrun === undefined ? Promise.resolve() : this.#quiet;
  }

  /** Runs a parameterless multi-statement script (a migration) on this checkout. */
  async executeScript(script: string): Promise<void> {
    await this.#run({ kind: 'exec', sql: script });
  }

  async #run(statement: Statement): Promise<StatementResult> {
    if (this.#overrun !== undefined) throw this.#overrun;
    if (this.#transaction !== undefined && this.#transaction !== this.#session.generation) {
      throw new SessionFailure('the transaction was rolled back when the database session was restarted');
    }
    try {
      return await this.#session.run(statement);
    } catch (error) {
      if (error instanceof StatementTimeout) {
        this.#overrun = error;
        this.#quiet = this.#session.settled();
      }
      throw error;
    }
  }
}

/** Hands the one connection to one holder at a time, in the order they asked. */
class Turns {
  #held = false;
  readonly #waiting: (() => void)[] = [];

  take(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  pass(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#held = false;
    else next();
  }
}
