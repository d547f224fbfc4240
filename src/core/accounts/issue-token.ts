import { inTransaction } from '../../db/transaction';
import type { CatalogContext } from '../context';
import { InvalidArgument, PermissionDenied } from '../errors';
import { newBearerToken, tokenId } from './bearer-token';

export interface IssuedToken {
  readonly token: string;
  /** The token's public id, to list and revoke it by. */
  readonly id: string;
  readonly user: string;
  readonly expires: Date;
  readonly label?: string;
}

const DEFAULT_TTL = 12 * 3600;
const DEFAULT_MAX_TTL = 30 * 24 * 3600;

/**
 * A bearer token for the calling account. Only a hash is stored; the token is shown this once. The
 * caller's expired tokens are swept at the same time, so the table does not grow without bound.
 * A bearer token cannot issue tokens: a stolen one must end when it expires, not renew itself.
 */
export async function issueToken(ctx: CatalogContext, request: { readonly ttlSeconds?: number; readonly label?: string }): Promise<IssuedToken> {
  const user = ctx.identity.account;
  if (user === undefined) throw new PermissionDenied('bearer tokens are issued to local accounts; this identity has none');
  if (ctx.identity.method === 'bearer') {
    throw new PermissionDenied('a bearer token cannot issue tokens (it would outlive itself); authenticate with a password or certificate');
  }
  const max = ctx.limits.maxTokenTtlSeconds ?? DEFAULT_MAX_TTL;
  const ttl = request.ttlSeconds ?? Math.min(ctx.limits.tokenTtlSeconds ?? DEFAULT_TTL, max);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > max) throw new InvalidArgument(`ttlSeconds must be from 1 to ${max}`);
  const label = request.label;
  if (label !== undefined && (typeof label !== 'string' || label.length > 200)) throw new InvalidArgument('label must be at most 200 characters');
  const { token, hash } = newBearerToken();
  const id = tokenId(hash);
  const now = new Date();
  const expires = new Date(now.getTime() + ttl * 1000);
  await inTransaction(ctx.db, async (trx) => {
    await trx.deleteFrom('tokens').where('user_name', '=', user).where('expires', '<=', now).execute();
    await trx.insertInto('tokens').values({ token_hash: hash, id, user_name: user, expires, label: label ?? null }).execute();
  });
  return { token, id, user, expires, ...(label !== undefined ? { label } : {}) };
}
