import { TooManyRequests } from '../core/errors';

export interface LoginThrottleSettings {
  /** Failed logins of one user name from one client address before the next waits (1 s, doubling with each further one). */
  readonly userAddressFailures: number;
  /** Failed logins from one client address, whatever the user names, before the address waits. */
  readonly addressFailures: number;
  /** Failed logins of one user name from all addresses before addresses it never logged in from wait. */
  readonly userFailures: number;
  /** The longest wait; failures are forgotten this long after the last one (at least 15 minutes). */
  readonly maxBackoffSeconds: number;
}

interface Failures {
  count: number;
  last: number;
  blockedUntil: number;
}

/** Per-key failure counts with exponential backoff past a free allowance; bounded (oldest dropped first). */
class FailureCounts {
  readonly #entries = new Map<string, Failures>();
  readonly #free: number;
  readonly #maxBackoffMs: number;
  readonly #forgetMs: number;
  readonly #maxEntries: number;

  constructor(free: number, maxBackoffMs: number, maxEntries: number) {
    this.#free = free;
    this.#maxBackoffMs = maxBackoffMs;
    this.#forgetMs = Math.max(maxBackoffMs, 15 * 60_000);
    this.#maxEntries = maxEntries;
  }

  /** Epoch ms until which the key waits (0: it does not). */
  blockedUntil(key: string, now: number): number {
    const entry = this.#entries.get(key);
    if (entry === undefined) return 0;
    if (now - entry.last > this.#forgetMs) {
      this.#entries.delete(key);
      return 0;
    }
    return entry.blockedUntil > now ? entry.blockedUntil : 0;
  }

  /** Counts a failure; from the free allowance on, the key waits 1 s, then 2, 4, … up to the maximum. */
  fail(key: string, now: number): void {
    const old = this.#entries.get(key);
    const entry = old !== undefined && now - old.last <= this.#forgetMs ? old : { count: 0, last: now, blockedUntil: 0 };
    entry.count++;
    entry.last = now;
    if (entry.count >= this.#free) entry.blockedUntil = now + Math.min(1000 * 2 ** Math.min(entry.count - this.#free, 30), this.#maxBackoffMs);
    // Re-inserted, so that the map's order is least recently failed first.
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, entry);
  }

  clear(key: string): void {
    this.#entries.delete(key);
  }
}

const MAX_KEYS = 100_000;
const KNOWN_ADDRESSES_PER_USER = 16;

/**
 * Slows password guessing without letting a guesser lock the real user out. Three counts of failures:
 * - one user name from one address: a guesser at one account waits, doubling, after a few tries;
 * - one address over all user names: spraying one password over many accounts waits too;
 * - one user name over all addresses: a guesser with many addresses makes *unknown* addresses wait,
 *   while addresses this user logged in from before, and passwords verified recently, still get in.
 * A request refused for the account-wide count counts against its address as well, so that being
 * refused and being let in by a remembered password cannot be told apart beyond the address's budget.
 * Counts live in this process: with N instances behind a balancer a guesser gets at most N times the
 * budget, still a few guesses a minute.
 */
export class LoginThrottle {
  readonly #settings: LoginThrottleSettings;
  readonly #userAddress: FailureCounts;
  readonly #address: FailureCounts;
  readonly #user: FailureCounts;
  /** user → addresses it logged in from, most recent last. */
  readonly #knownAddresses = new Map<string, string[]>();

  constructor(settings: LoginThrottleSettings) {
    this.#settings = settings;
    const maxMs = settings.maxBackoffSeconds * 1000;
    this.#userAddress = new FailureCounts(settings.userAddressFailures, maxMs, MAX_KEYS);
    this.#address = new FailureCounts(settings.addressFailures, maxMs, MAX_KEYS);
    this.#user = new FailureCounts(settings.userFailures, maxMs, MAX_KEYS);
  }

  /** Before anything else of a login: refused when this address waits, for this user or for all. */
  checkAddress(user: string, address: string, now: number): void {
    const until = Math.max(this.#userAddress.blockedUntil(pairKey(user, address), now), this.#address.blockedUntil(address, now));
    if (until > 0) throw tooMany(`too many failed logins from this address`, until, now);
  }

  /**
   * Before a password is hashed, when no remembered password vouched for the request: an account
   * under attack from many addresses lets only addresses it knows try.
   */
  checkUser(user: string, address: string, now: number): void {
    const until = this.#user.blockedUntil(user, now);
    if (until === 0 || this.#knownAddresses.get(user)?.includes(address) === true) return;
    this.#userAddress.fail(pairKey(user, address), now);
    this.#address.fail(address, now);
    throw tooMany(`too many failed logins for ${user}; addresses it has not logged in from must wait`, until, now);
  }

  failed(user: string, address: string, now: number): void {
    this.#userAddress.fail(pairKey(user, address), now);
    this.#address.fail(address, now);
    this.#user.fail(user, now);
  }

  /** A verified password: this address is known for this user, and its own count starts again. */
  succeeded(user: string, address: string): void {
    this.#userAddress.clear(pairKey(user, address));
    const known = (this.#knownAddresses.get(user) ?? []).filter((a) => a !== address);
    known.push(address);
    if (known.length > KNOWN_ADDRESSES_PER_USER) known.shift();
    this.#knownAddresses.delete(user);
    if (this.#knownAddresses.size >= MAX_KEYS) this.#knownAddresses.delete(this.#knownAddresses.keys().next().value!);
    this.#knownAddresses.set(user, known);
  }

  get settings(): LoginThrottleSettings {
    return this.#settings;
  }
}

function pairKey(user: string, address: string): string {
  return `${address} ${user}`;
}

function tooMany(reason: string, until: number, now: number): TooManyRequests {
  const seconds = Math.max(1, Math.ceil((until - now) / 1000));
  return new TooManyRequests(`${reason}; retry after ${seconds} s`, seconds);
}
