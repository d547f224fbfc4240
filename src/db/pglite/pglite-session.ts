import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../../package-root';
import { PgliteDatabaseError, type Statement, type StatementResult, type WorkerAnswer } from './pglite-protocol';

export interface PgliteSessionOptions {
  /** A directory to persist in, or undefined for a throw-away in-memory database (tests, demos). */
  readonly dataDir: string | undefined;
  /** How long one statement may run; 0: no limit. */
  readonly statementTimeoutMs: number;
}

/** A statement ran past its deadline. The SQLSTATE is PostgreSQL's for its own statement_timeout. */
export class StatementTimeout extends Error {
  readonly code = '57014';
  constructor(ms: number) {
    super(`canceling statement due to statement timeout (${ms} ms)`);
    this.name = 'StatementTimeout';
  }
}

/** The session cannot answer (its worker stopped, or it is closed); connection_failure, as a driver would say. */
export class SessionFailure extends Error {
  readonly code = '08006';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SessionFailure';
  }
}

interface InFlight {
  readonly resolve: (result: StatementResult) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout | undefined;
  /** The caller was answered at the deadline; the statement still runs (in-memory database only). */
  abandoned: boolean;
  /** Called once the worker answered, or stopped. */
  finished?: () => void;
}

/**
 * The one PGlite session, run in a worker thread. PGlite ignores `statement_timeout` (its WebAssembly
 * gets no signals) and runs each statement synchronously: on the service's thread a costly statement
 * stopped everything else, health checks included, and nothing could end it. In a worker the service's
 * thread stays free, and a statement past its deadline is really stopped:
 *
 * - with a data directory, the worker is terminated and the database reopened from the directory;
 *   PostgreSQL's crash recovery keeps every committed transaction and rolls back the interrupted one.
 *   The caller gets `StatementTimeout` at the deadline; statements sent meanwhile wait for the reopen.
 * - in memory, terminating would lose the whole database, so the caller gets `StatementTimeout` at the
 *   deadline, the statement runs on to its end in the worker, and later statements wait for it.
 *
 * A worker that dies otherwise (a crash) is replaced the same way on the next statement; an in-memory
 * database is then lost, and every statement fails with `SessionFailure`.
 *
 * Callers serialize their use (`PgliteDriver` hands out the one connection); `run` answers one statement.
 */
export class PgliteSession {
  readonly #options: PgliteSessionOptions;
  #worker: Worker | undefined;
  /** Resolves when the current worker has opened the database; statements wait on it. */
  #opened: Promise<void>;
  /** Set when the worker stopped without a replacement under way: the next statement starts one. */
  #stopped: { readonly gone: Promise<unknown> } | undefined;
  /** Set for good when an in-memory database was lost, or the session closed. */
  #gone: Error | undefined;
  #closing = false;
  readonly #inFlight = new Map<number, InFlight>();
  #nextId = 1;
  #generation = 0;
  /** Resolves when no statement past its deadline still occupies the worker (and it is reopened). */
  #settled: Promise<void> = Promise.resolve();

  private constructor(options: PgliteSessionOptions) {
    this.#options = options;
    this.#opened = this.#spawn();
  }

  static async open(options: PgliteSessionOptions): Promise<PgliteSession> {
    if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
    const session = new PgliteSession(options);
    try {
      await session.#opened;
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  /** Counts worker starts: a transaction begun in an earlier generation was rolled back by a restart. */
  get generation(): number {
    return this.#generation;
  }

  /** Resolves once a statement that passed its deadline no longer holds the session. */
  settled(): Promise<void> {
    return this.#settled;
  }

  async run(statement: Statement): Promise<StatementResult> {
    if (this.#gone !== undefined) throw this.#gone;
    if (this.#stopped !== undefined) {
      const { gone } = this.#stopped;
      this.#stopped = undefined;
      this.#opened = gone.then(() => this.#spawn());
    }
    await this.#opened;
    const worker = this.#worker!;
    const id = this.#nextId++;
    const deadline = this.#options.statementTimeoutMs;
    return new Promise<StatementResult>((resolve, reject) => {
      const timer = deadline > 0 && statement.kind !== 'close' ? setTimeout(() => this.#overrun(id, worker), deadline) : undefined;
      this.#inFlight.set(id, { resolve, reject, timer, abandoned: false });
      // An awaited promise alone does not keep the process alive; a worker answering a caller must.
      worker.ref();
      worker.postMessage({ ...statement, id });
    });
  }

  /** Closes PGlite cleanly when the session is idle; a statement still running is stopped. */
  async close(): Promise<void> {
    if (this.#closing) return;
    const idle = this.#inFlight.size === 0 && this.#stopped === undefined && this.#gone === undefined;
    this.#closing = true;
    if (idle) {
      try {
        await this.run({ kind: 'close' });
      } catch {
        // Terminating below ends it all the same.
      }
    }
    this.#gone = new SessionFailure('the database is closed');
    const worker = this.#worker;
    if (worker !== undefined) {
      this.#fail(this.#gone);
      await worker.terminate();
    }
  }

  /** Starts a worker on the database; resolves when it is open. */
  #spawn(): Promise<void> {
    const worker = new Worker(workerScript(), { workerData: { dataDir: this.#options.dataDir } });
    this.#worker = worker;
    this.#generation += 1;
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (answer: WorkerAnswer) => {
        switch (answer.kind) {
          case 'opened':
            resolve();
            this.#unrefWhenIdle();
            return;
          case 'open-failed':
            this.#lose(worker, new SessionFailure(`cannot open PGlite: ${answer.error.message}`));
            return;
          case 'done':
            this.#answer(answer.id, (entry) => entry.resolve({ rows: answer.rows, affectedRows: answer.affectedRows }));
            return;
          case 'failed':
            this.#answer(answer.id, (entry) => entry.reject(new PgliteDatabaseError(answer.error)));
            return;
        }
      });
      worker.on('error', (error) => this.#lose(worker, new SessionFailure(`the PGlite worker failed: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => this.#lose(worker, new SessionFailure(`the PGlite worker stopped (exit code ${code})`)));
      // Whoever waits for the opening learns of a failure through #lose.
      this.#failOpening = reject;
    });
  }

  #failOpening: (error: Error) => void = () => undefined;

  #answer(id: number, settle: (entry: InFlight) => void): void {
    const entry = this.#inFlight.get(id);
    if (entry === undefined) return;
    this.#inFlight.delete(id);
    clearTimeout(entry.timer);
    if (!entry.abandoned) settle(entry);
    entry.finished?.();
    this.#unrefWhenIdle();
  }

  #overrun(id: number, worker: Worker): void {
    const entry = this.#inFlight.get(id);
    if (entry === undefined || worker !== this.#worker || this.#closing) return;
    entry.reject(new StatementTimeout(this.#options.statementTimeoutMs));
    entry.abandoned = true;
    if (this.#options.dataDir === undefined) {
      this.#settled = new Promise<void>((resolve) => {
        entry.finished = resolve;
      });
      this.#unrefWhenIdle();
      return;
    }
    this.#fail(new SessionFailure('the PGlite worker was restarted after a statement passed its deadline'));
    this.#worker = undefined;
    this.#opened = worker.terminate().then(() => this.#spawn());
    this.#settled = this.#opened.catch(() => undefined);
  }

  /** The worker is done for (it failed to open, crashed or exited): whoever waits on it gets `error`. */
  #lose(worker: Worker, error: Error): void {
    if (worker !== this.#worker || this.#closing) return;
    this.#failOpening(error);
    this.#fail(error);
    this.#worker = undefined;
    if (this.#options.dataDir === undefined) {
      this.#gone = new SessionFailure(`the in-memory database is lost: ${error.message}`, { cause: error });
    } else {
      this.#stopped = { gone: worker.terminate() };
    }
  }

  #fail(error: Error): void {
    for (const [id, entry] of this.#inFlight) {
      this.#inFlight.delete(id);
      clearTimeout(entry.timer);
      if (!entry.abandoned) entry.reject(error);
      entry.finished?.();
    }
    this.#worker?.unref();
  }

  #unrefWhenIdle(): void {
    if ([...this.#inFlight.values()].every((entry) => entry.abandoned)) this.#worker?.unref();
  }
}

/** The worker's JavaScript: beside this module when built; under ts-jest (running src/), the build's copy. */
function workerScript(): string {
  const script = __filename.endsWith('.ts') ? join(packageRoot(), 'dist', 'src', 'db', 'pglite', 'pglite-worker.js') : join(__dirname, 'pglite-worker.js');
  if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build`);
  return script;
}
