import { createHmac, randomBytes } from 'node:crypto';

interface Verified {
  readonly user: string;
  /** The stored hash the password was checked against: a new password (any instance) changes it. */
  readonly passwordHash: string;
  readonly until: number;
}

/** What a remembered password is checked against: the account row the request reads anyway. */
export interface LoginRecord {
  readonly name: string;
  readonly passwordHash: string | null;
  readonly disabled: boolean;
}

/**
 * Passwords this instance verified recently, so that a client sending many small Basic requests pays
 * for scrypt once a TTL instead of on every request. Keyed by an HMAC of user and password under a
 * random per-process key: neither the password nor an offline-guessable hash of it is kept.
 *
 * An entry vouches for a request only while the account row read for that request still holds the
 * very password hash it was verified against and is enabled; so a password changed, an account
 * disabled or deleted — through any instance — ends it on the next request. Changes through this
 * instance also drop everything at once (`forget`). Failures are never remembered.
 *
 * ```ts
 * const key = verified.keyOf(user, password);
 * if (verified.vouches(key, account, now)) return identity;   // no scrypt
 * // ...verify with scrypt, then:
 * verified.remember(key, account, now, generation);
 * ```
 */
export class VerifiedPasswords {
  readonly #secret = randomBytes(32);
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, Verified>();
  #generation = 0;

  constructor(ttlMs: number, maxEntries = 10_000) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  keyOf(user: string, password: string): string {
    // Length-prefixed, so that no other split of the same bytes into user and password gives this key.
    return createHmac('sha256', this.#secret).update(`${user.length}:${user}`).update(password).digest('base64url');
  }

  vouches(key: string, account: LoginRecord, now: number): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    if (now < entry.until && entry.user === account.name && entry.passwordHash === account.passwordHash && !account.disabled) return true;
    this.#entries.delete(key);
    return false;
  }

  /** Read before the password is checked and passed to `remember`: a check that raced with `forget` is not kept. */
  get generation(): number {
    return this.#generation;
  }

  remember(key: string, account: LoginRecord, now: number, generation: number): void {
    if (this.#ttlMs <= 0 || generation !== this.#generation || account.passwordHash === null) return;
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { user: account.name, passwordHash: account.passwordHash, until: now + this.#ttlMs });
  }

  /** Accounts changed on this instance: nothing verified so far vouches again. */
  forget(): void {
    this.#generation++;
    this.#entries.clear();
  }
}
