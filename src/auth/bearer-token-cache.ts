import type { Identity } from '../core/context';

/** Tokens remembered at most; beyond, the oldest is dropped (a bound against floods of distinct tokens). */
const MAX_ENTRIES = 10_000;

interface Remembered {
  readonly identity: Identity;
  /** Epoch ms after which the entry is not used: its lookup time plus the TTL, or the token's expiry if sooner. */
  readonly until: number;
}

/**
 * Bearer tokens this instance looked up recently, with the identity each stands for, so that a client
 * sending many small requests does not pay a database round trip for each.
 *
 * Correctness bounds: an entry is used for at most `ttlMs` after its lookup and never past the token's
 * expiry; a failed lookup is never remembered; and every change to accounts made through this instance
 * (disabling, deleting, a new password, group memberships) calls `forget`, which empties the cache at
 * once, including lookups still in flight when it was called. So a revoked token or a changed membership
 * is honoured late only when the change was made elsewhere (another instance or worker, or SQL by hand),
 * and then for at most `ttlMs`.
 *
 * ```ts
 * const tokens = new BearerTokenCache(2000);
 * const generation = tokens.generation;          // before the lookup
 * tokens.remember(hash, identity, expires.getTime(), now, generation);
 * tokens.identity(hash, Date.now());              // the identity, or undefined
 * ```
 */
export class BearerTokenCache {
  readonly #ttlMs: number;
  readonly #entries = new Map<string, Remembered>();
  #generation = 0;

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** The identity a token hash stood for, if looked up less than the TTL ago and not expired. */
  identity(hash: string, now: number): Identity | undefined {
    const entry = this.#entries.get(hash);
    if (entry === undefined) return undefined;
    if (now < entry.until) return entry.identity;
    this.#entries.delete(hash);
    return undefined;
  }

  /** Read before a lookup and passed to `remember`: a lookup that raced with `forget` is not kept. */
  get generation(): number {
    return this.#generation;
  }

  remember(hash: string, identity: Identity, expiresAt: number, now: number, generation: number): void {
    if (this.#ttlMs <= 0 || generation !== this.#generation) return;
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(hash, { identity, until: Math.min(now + this.#ttlMs, expiresAt) });
  }

  /** Accounts changed: nothing remembered so far may be used again. */
  forget(): void {
    this.#generation++;
    this.#entries.clear();
  }
}
