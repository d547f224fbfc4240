import pg from 'pg';
import { Unavailable } from '../../core/errors';
import { sqlState } from '../db-errors';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

export interface OutageGateOptions {
  readonly url: string;
  /** How often a closed-off database is probed. */
  readonly probeEveryMs: number;
  /** How long one probe may take (connect and `SELECT 1`). */
  readonly probeTimeoutMs: number;
  /**
   * How to find out that the database answers again, instead of `SELECT 1` on `url`: a multi-host
   * primary's probe finds which server is writable now (primary-pool.ts).
   */
  readonly probe?: () => Promise<unknown>;
}

/**
 * Remembers that the database stopped answering, so that requests fail at once with Unavailable
 * instead of each waiting out the connect timeout against a server that is down or frozen; one probe
 * connection at a time finds out when it answers again, and the gate opens without a restart.
 *
 * Only failures of the connection itself close the gate (refused, reset, ended by the server, a
 * connect or read timeout); a statement timeout or a constraint violation says nothing about the
 * server being reachable.
 *
 * ```ts
 * const gate = new OutageGate({ url, probeEveryMs: 500, probeTimeoutMs: 1000 });
 * gate.check();            // throws Unavailable while the database is known to be down
 * gate.observe(error);     // after a failed connect or query
 * ```
 */
export class OutageGate {
  readonly #options: OutageGateOptions;
  #down: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #probing = false;

  constructor(options: OutageGateOptions) {
    this.#options = options;
  }

  get down(): boolean {
    return this.#down !== undefined;
  }

  /** Why the database is known to be down, or undefined while it is not. */
  get reason(): string | undefined {
    return this.#down;
  }

  check(): void {
    if (this.#down !== undefined) throw new Unavailable(`the database is unavailable (${this.#down}); retry later`);
  }

  /** Looks at a failure; one of the connection itself closes the gate until a probe succeeds. */
  observe(error: unknown): void {
    if (this.#down !== undefined || !isConnectionFailure(error)) return;
    this.#down = error instanceof Error ? error.message : String(error);
    this.#timer = setInterval(() => void this.#probe(), this.#options.probeEveryMs);
    // The gate must not keep a stopping process alive.
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #probe(): Promise<void> {
    if (this.#probing) return;
    this.#probing = true;
    if (this.#options.probe !== undefined) {
      try {
        await this.#options.probe();
        this.#down = undefined;
        this.close();
      } catch (error) {
        // still down; the newest reason is the one worth showing
        if (this.#down !== undefined && error instanceof Error) this.#down = error.message;
      } finally {
        this.#probing = false;
      }
      return;
    }
    const client = new pg.Client({
      connectionString: this.#options.url,
      connectionTimeoutMillis: this.#options.probeTimeoutMs,
      query_timeout: this.#options.probeTimeoutMs,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      this.#down = undefined;
      this.close();
    } catch {
      // still down
    } finally {
      this.#probing = false;
      void client.end().catch(() => undefined);
    }
  }
}

function isConnectionFailure(error: unknown): boolean {
  const state = sqlState(error);
  // 25006: a write refused by a server that is (now) read-only — a primary demoted to a standby.
  if (state !== undefined && (CONNECTION_CODES.has(state) || state.startsWith('08') || state === '57P01' || state === '57P02' || state === '57P03' || state === '25006')) {
    return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|Query read timeout|connect ECONNREFUSED/i.test(message);
}
