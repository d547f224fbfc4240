import { inTransaction } from '../../db/transaction';
import type { CatalogContext } from '../context';
import { InvalidArgument, PermissionDenied } from '../errors';
import { newBearerToken } from './bearer-token';

export interface IssuedToken {
  readonly token: string;
  readonly user: string;
  readonly expires: Date;
}

const DEFAULT_TTL = 12 * 3600;
const DEFAULT_MAX_TTL = 30 * 24 * 3600;

/**
 * A bearer token for the calling account. Only a hash is stored; the token is shown this once. The
 * caller's expired tokens are swept at the same time, so the table does not grow without bound.
 */
export async function issueToken(ctx: CatalogContext, request: { readonly ttlSeconds?: number }): Promise<IssuedToken> {
  const user = ctx.identity.account;
  if (user === undefined) throw new PermissionDenied('bearer tokens are issued to local accounts; this identity has none');
  const max = ctx.limits.maxTokenTtlSeconds ?? DEFAULT_MAX_TTL;
  const ttl = request.ttlSeconds ?? Math.min(ctx.limits.tokenTtlSeconds ?? DEFAULT_TTL, max);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > max) throw new InvalidArgument(`ttlSeconds must be from 1 to ${max}`);
  const { token, hash } = newBearerToken();
  const now = new Date();
  const expires = new Date(now.getTime() + ttl * 1000);
  await inTransaction(ctx.db, async (trx) => {
    await trx.deleteFrom('tokens').where('user_name', '=', user).where('expires', '<=', now).execute();
    await trx.insertInto('tokens').values({ token_hash: hash, user_name: user, expires }).execute();
  });
  return { token, user, expires };
}
