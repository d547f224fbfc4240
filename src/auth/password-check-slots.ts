import { TooManyRequests } from '../core/errors';

/**
 * A bound on password hashing (scrypt) running at once, with a bounded queue behind it. scrypt runs on
 * libuv's thread pool, which file access, DNS lookups and zlib share: without a bound, a flood of
 * made-up credentials fills the pool and everything else waits behind it. Beyond the queue a check is
 * refused at once (429), so a flood costs the flooder, not the service.
 *
 * ```ts
 * const slots = new PasswordCheckSlots(3, 64);
 * const ok = await slots.run(() => verifyPassword(password, stored));
 * ```
 */
export class PasswordCheckSlots {
  readonly #concurrency: number;
  readonly #queueLimit: number;
  readonly #waiting: (() => void)[] = [];
  #running = 0;
  #started = 0;

  constructor(concurrency: number, queueLimit: number) {
    this.#concurrency = Math.max(1, concurrency);
    this.#queueLimit = Math.max(0, queueLimit);
  }

  /** Checks started since this instance began (each one scrypt run). */
  get started(): number {
    return this.#started;
  }

  /** Checks waiting for a slot now. */
  get queued(): number {
    return this.#waiting.length;
  }

  async run<T>(check: () => Promise<T>): Promise<T> {
    if (this.#running < this.#concurrency) {
      this.#running++;
    } else {
      if (this.#waiting.length >= this.#queueLimit) throw new TooManyRequests('password checks are busy; retry in a moment', 1);
      // The slot is handed over by the check that ends (see below), so #running stays counted.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#started++;
    try {
      return await check();
    } finally {
      const next = this.#waiting.shift();
      if (next !== undefined) next();
      else this.#running--;
    }
  }
}
