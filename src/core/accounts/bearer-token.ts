import { hash, randomBytes } from 'node:crypto';

const PREFIX = 'rpl_';

/** A new bearer token (256 random bits, prefixed so that secret scanners can recognize it) and its hash. */
export function newBearerToken(): { token: string; hash: string } {
  const token = PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashBearerToken(token) };
}

/**
 * Tokens are random and long, so a plain SHA-256 is enough to make a stolen table useless. Every
 * request with a token hashes it (the identity cache is keyed by the hash, not the secret): the one-shot
 * `hash` costs a third of a `Hash` object's.
 */
export function hashBearerToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** A token's public id: the first 128 bits of its hash, enough to name it, useless to log in with. */
export function tokenId(hash: string): string {
  return hash.slice(0, 32);
}
