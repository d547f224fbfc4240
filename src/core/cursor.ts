import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CatalogContext } from './context';
import { InvalidArgument } from './errors';

// Cursors come back from clients: even a sealed one is checked for what no name can contain.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

const VERSION = 1;
const IV_BYTES = 16;
const MAC_BYTES = 32;

/**
 * The secret that seals pagination cursors: AES-256-CTR encrypts what a cursor holds (so a caller cannot
 * read the position in it), HMAC-SHA256 over the version, IV and ciphertext authenticates it
 * (encrypt-then-MAC: a forged or altered cursor is refused before anything is decrypted). Two keys are
 * derived from the one secret with HKDF. CTR with a random 128-bit IV, unlike GCM's 96-bit nonce, has no
 * practical limit on how many cursors one key may seal. Every instance over one database must hold the
 * same secret (`loadCursorKey` keeps it in the database), or a cursor from one fails on another.
 *
 * ```ts
 * const key = new CursorKey(secret); // 32 bytes or more
 * const ctx = { ...ctx, cursorKey: key };
 * ```
 */
export class CursorKey {
  readonly #encryption: Buffer;
  readonly #authentication: Buffer;

  constructor(secret: Uint8Array) {
    if (secret.byteLength < 32) throw new Error('a cursor secret has at least 32 bytes');
    this.#encryption = Buffer.from(hkdfSync('sha256', secret, '', 'replicat cursor encryption', 32));
    this.#authentication = Buffer.from(hkdfSync('sha256', secret, '', 'replicat cursor authentication', 32));
  }

  /** A key known to this process only, for embedded use and tests; instances behind one database share theirs. */
  static random(): CursorKey {
    return new CursorKey(randomBytes(32));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-ctr', this.#encryption, iv);
    const body = Buffer.concat([Buffer.of(VERSION), iv, cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([body, this.#mac(body)]).toString('base64url');
  }

  /** The plaintext of a cursor this key sealed, or undefined for anything else. */
  open(cursor: string): string | undefined {
    const bytes = Buffer.from(cursor, 'base64url');
    if (bytes.length < 1 + IV_BYTES + MAC_BYTES || bytes[0] !== VERSION) return undefined;
    const body = bytes.subarray(0, bytes.length - MAC_BYTES);
    if (!timingSafeEqual(this.#mac(body), bytes.subarray(bytes.length - MAC_BYTES))) return undefined;
    const decipher = createDecipheriv('aes-256-ctr', this.#encryption, body.subarray(1, 1 + IV_BYTES));
    return Buffer.concat([decipher.update(body.subarray(1 + IV_BYTES)), decipher.final()]).toString('utf8');
  }

  #mac(body: Buffer): Buffer {
    return createHmac('sha256', this.#authentication).update(body).digest();
  }
}

/**
 * Opaque pagination cursors: sealed with the catalog's `CursorKey`, naming the listing they belong to
 * (`scope`) and the last key returned, which must be a key the caller may see. Keyset pagination: a page
 * costs the same at entry 10 as at entry 10,000,000.
 */
export function encodeCursor(ctx: CatalogContext, scope: string, after: string): string {
  return keyOf(ctx).seal(JSON.stringify({ s: scope, a: after }));
}

export function decodeCursor(ctx: CatalogContext, cursor: string, scope: string): string {
  let value: unknown;
  try {
    const opened = keyOf(ctx).open(cursor);
    if (opened === undefined) throw new InvalidArgument('invalid cursor');
    value = JSON.parse(opened);
  } catch {
    throw new InvalidArgument('invalid cursor');
  }
  if (typeof value !== 'object' || value === null) throw new InvalidArgument('invalid cursor');
  const { s, a } = value as { s?: unknown; a?: unknown };
  if (typeof a !== 'string' || typeof s !== 'string' || !a.isWellFormed() || CONTROL.test(a)) {
    throw new InvalidArgument('invalid cursor');
  }
  if (s !== scope) throw new InvalidArgument('the cursor belongs to another listing');
  return a;
}

let processKey: CursorKey | undefined;

function keyOf(ctx: CatalogContext): CursorKey {
  if (ctx.cursorKey !== undefined) return ctx.cursorKey;
  processKey ??= CursorKey.random();
  return processKey;
}

/** Checks a requested page size against the configured bounds. */
export function pageSize(requested: number | undefined, fallback: number, max: number): number {
  if (requested === undefined) return fallback;
  if (!Number.isSafeInteger(requested) || requested < 1 || requested > max) {
    throw new InvalidArgument(`limit must be an integer from 1 to ${max}`);
  }
  return requested;
}
