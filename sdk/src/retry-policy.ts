/**
 * When a failed attempt is tried again. Only calls that are safe to repeat are retried: reads always,
 * writes only when the caller says the call is idempotent (see the README: none is by default), or when
 * the connection was never made, so that nothing reached the service.
 */
export interface RetryOptions {
  /** Attempts after the first; 0 turns retrying off. */
  readonly retries: number;
  /** The first backoff's ceiling; each retry doubles it (full jitter: a random wait below the ceiling). */
  readonly baseDelayMs: number;
  /** The largest wait between attempts, also the cap on a `Retry-After` the service asks for. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 4, baseDelayMs: 200, maxDelayMs: 5000 };

/**
 * Exponential backoff with full jitter: clients that failed together do not come back together. A
 * `Retry-After` of the service is honoured (as a floor), within maxDelayMs.
 */
export function retryDelay(policy: RetryOptions, retry: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs === undefined ? jittered : Math.max(jittered, Math.min(retryAfterMs, policy.maxDelayMs));
}

/** `Retry-After` in seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

// Failures before a connection exists: the request cannot have reached the service.
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** The codes of an error and of its causes, outermost first (fetch wraps the socket's error). */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** True when the transport failed before any byte of the request could have been sent. */
export function failedBeforeSending(error: unknown): boolean {
  return errorCodes(error).some((code) => NOT_CONNECTED.has(code));
}

/**
 * A certificate or TLS failure: the same attempt would fail the same way, so it is never retried.
 * OpenSSL's verification codes (`CERT_HAS_EXPIRED`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, …) and Node's
 * `ERR_TLS_*` / `ERR_SSL_*`.
 */
export function isTlsFailure(error: unknown): boolean {
  return errorCodes(error).some((code) => /^ERR_(TLS|SSL)_|CERT|SIGNATURE|ISSUER|HOSTNAME|SELF_SIGNED/.test(code));
}

/** Waits, or rejects with the signal's reason as soon as it fires. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
