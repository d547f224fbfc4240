import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'rpl_';

/** A new bearer token (256 random bits, prefixed so that secret scanners can recognize it) and its hash. */
export function newBearerToken(): { token: string; hash: string } {
  const token = PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashBearerToken(token) };
}

/** Tokens are random and long, so a plain SHA-256 is enough to make a stolen table useless. */
export function hashBearerToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
