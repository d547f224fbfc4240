import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Reading (the TURL of a get: GET, HEAD) or writing (the TURL of a put: PUT). */
export type TurlAccess = 'read' | 'write';

/** What a signed TURL allows: one kind of access to one file of one SE, until it expires, for one SRM request. */
export interface TurlGrant {
  readonly access: TurlAccess;
  /** The SE's name, as the data route `/data/{se}/…` names it. */
  readonly se: string;
  /** The file's path on the SE (`/dpm/vo/f1`), as `canonicalSePath` writes it. */
  readonly path: string;
  /** Milliseconds since the epoch; the TURL carries whole seconds, rounded down, so it never outlives its pin. */
  readonly expiresAt: number;
  /** The SRM request the TURL was handed out for. */
  readonly token: string;
}

/** What the data routes learn from a TURL's query: the grant it proves, or why it proves nothing. */
export type TurlCheck = { readonly ok: true; readonly grant: TurlGrant } | { readonly ok: false; readonly reason: string };

/** The query parameters a signed TURL carries. */
export const TURL_PARAMETERS = { token: 'token', expires: 'expires', signature: 'signature' } as const;

/** The shortest secret accepted from an operator: 32 characters (`openssl rand -hex 32` gives 64). */
export const MIN_SECRET_LENGTH = 32;

const TOKEN = /^[0-9a-f]{32}$/;
const EXPIRES = /^\d{1,15}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;
const SIGNED_SCHEMES = new Set(['http', 'https', 'dav', 'davs']);

/** Whether TURLs of this scheme (`https`, no colon) are served by replicat's data routes, and so signed. */
export function isSignedScheme(scheme: string): boolean {
  return SIGNED_SCHEMES.has(scheme.toLowerCase());
}

/**
 * Makes TURLs capabilities, like presigned URLs: the SRM signs each TURL it hands out (HMAC-SHA256 under a
 * secret it shares with the storage processes) over the access, the SE, the file's path, the expiry and
 * the request token, and whoever serves the bytes checks that signature before anything else. So the bytes
 * can be served by a process that knows nothing of the SRM's requests, and a put's TURL cannot read nor a
 * get's TURL write: the access comes from the HTTP method and is part of what was signed.
 *
 * ```ts
 * const signer = new TurlSigner(secret);
 * const turl = signer.sign('https://se1.example.org:8447/data/se1/dpm/vo/f1', {
 *   access: 'read', se: 'se1', path: '/dpm/vo/f1', expiresAt: Date.now() + 600_000, token,
 * }); // …/data/se1/dpm/vo/f1?token=…&expires=…&signature=…
 * signer.check({ access: 'read', se: 'se1', path: '/dpm/vo/f1', query: req.query }); // {ok: true, grant}
 * ```
 */
export class TurlSigner {
  readonly #secret: Buffer;
  readonly #now: () => number;

  /** `now` is the clock expiry is checked against (tests move it by hand). */
  constructor(secret: Buffer | string, now: () => number = Date.now) {
    this.#secret = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
    if (this.#secret.length === 0) throw new TypeError('a TURL signing secret must not be empty');
    this.#now = now;
  }

  /** A signer with a secret made up now: enough when the process that signs also serves the bytes. */
  static random(now?: () => number): TurlSigner {
    return new TurlSigner(randomBytes(32), now);
  }

  /** Whether a TURL is of a scheme replicat's data routes serve, and so gets signed. */
  static signs(turl: string): boolean {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(turl)?.[1];
    return scheme !== undefined && isSignedScheme(scheme);
  }

  /** The TURL with the grant's parameters and signature appended to its query. */
  sign(turl: string, grant: TurlGrant): string {
    const url = new URL(turl);
    const expires = String(Math.floor(grant.expiresAt / 1000));
    url.searchParams.set(TURL_PARAMETERS.token, grant.token);
    url.searchParams.set(TURL_PARAMETERS.expires, expires);
    url.searchParams.set(TURL_PARAMETERS.signature, this.#mac(grant.access, grant.se, canonicalSePath(grant.path), expires, grant.token).toString('base64url'));
    return url.toString();
  }

  /**
   * Checks a TURL as it comes back: the SE and path of the route, the access its HTTP method asks for,
   * and the query. The signature is compared in constant time; an expired TURL is refused even when its
   * signature holds.
   */
  check(request: { readonly access: TurlAccess; readonly se: string; readonly path: string; readonly query: unknown }): TurlCheck {
    const query = (typeof request.query === 'object' && request.query !== null ? request.query : {}) as Record<string, unknown>;
    const token = query[TURL_PARAMETERS.token];
    const expires = query[TURL_PARAMETERS.expires];
    const signature = query[TURL_PARAMETERS.signature];
    if (signature === undefined) return { ok: false, reason: 'the TURL is not signed (use the TURL exactly as the SRM gave it)' };
    if (typeof token !== 'string' || typeof expires !== 'string' || typeof signature !== 'string' || !TOKEN.test(token) || !EXPIRES.test(expires) || !SIGNATURE.test(signature)) {
      return { ok: false, reason: 'the TURL has a malformed token, expires or signature parameter' };
    }
    const path = canonicalSePath(request.path);
    const expected = this.#mac(request.access, request.se, path, expires, token);
    if (!timingSafeEqual(expected, Buffer.from(signature, 'base64url'))) {
      return { ok: false, reason: `the TURL's signature does not match: it was changed, or it is not for ${request.access === 'read' ? 'reading' : 'writing'}` };
    }
    const expiresAt = Number(expires) * 1000;
    if (this.#now() >= expiresAt) return { ok: false, reason: `the TURL expired at ${new Date(expiresAt).toISOString()}` };
    return { ok: true, grant: { access: request.access, se: request.se, path, expiresAt, token } };
  }

  #mac(access: TurlAccess, se: string, path: string, expires: string, token: string): Buffer {
    // JSON of a fixed-order array: no two grants share a message, whatever characters a path holds.
    return createHmac('sha256', this.#secret).update(JSON.stringify(['replicat-turl-v1', access, se, path, expires, token])).digest();
  }
}

/** A path on an SE in one spelling: `/` first, empty components (`//`) dropped, no trailing `/`. */
export function canonicalSePath(path: string): string {
  return `/${path.split('/').filter((part) => part !== '').join('/')}`;
}
