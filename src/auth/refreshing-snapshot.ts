import type { Logger } from 'pino';

/**
 * A value read from disk and re-read periodically (CA and VOMS directories change under a running
 * service: fetch-crl, CA updates). Readers always see a complete value; a failed re-read keeps the
 * previous one and is logged.
 */
export class RefreshingSnapshot<T> {
  readonly #load: () => T;
  readonly #what: string;
  readonly #logger: Logger | undefined;
  readonly #timer: NodeJS.Timeout | undefined;
  #current: T;

  constructor(what: string, load: () => T, refreshSeconds: number, logger?: Logger) {
    this.#what = what;
    this.#load = load;
    this.#logger = logger;
    this.#current = load();
    if (refreshSeconds > 0) {
      this.#timer = setInterval(() => this.reload(), refreshSeconds * 1000);
      this.#timer.unref();
    }
  }

  get current(): T {
    return this.#current;
  }

  reload(): void {
    try {
      this.#current = this.#load();
    } catch (error) {
      this.#logger?.error({ err: error }, `${this.#what}: reload failed, keeping the previous contents`);
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
