import { reading } from '../../db/transaction';
import type { CatalogContext } from '../context';
import { InvalidArgument, NotExists, PermissionDenied } from '../errors';
import { parseAccountName } from './account';

/** A bearer token as its owner and admins see it: never the secret. */
export interface TokenInfo {
  readonly id: string;
  readonly user: string;
  readonly created: Date;
  readonly expires: Date;
  readonly label?: string;
}

const TOKEN_ID = /^[0-9a-f]{32}$/;

/**
 * The live tokens of the caller, or — for an admin — of one user (`user`) or of everyone (`all`).
 * Newest first.
 */
export async function listTokens(ctx: CatalogContext, options: { readonly user?: string; readonly all?: boolean } = {}): Promise<TokenInfo[]> {
  const self = ctx.identity.account;
  const other = options.all === true || (options.user !== undefined && options.user !== self);
  if (other && ctx.identity.admin !== true) throw new PermissionDenied("only an administrator may list other users' tokens");
  const user = options.all === true ? undefined : options.user === undefined ? self : parseAccountName(options.user, 'user');
  if (user === undefined && options.all !== true) throw new PermissionDenied('bearer tokens belong to local accounts; this identity has none');
  const rows = await reading(async () => {
    let query = ctx.db.selectFrom('tokens').select(['id', 'user_name', 'ctime', 'expires', 'label']).where('expires', '>', new Date());
    if (user !== undefined) query = query.where('user_name', '=', user);
    return query.orderBy('ctime', 'desc').orderBy('id').execute();
  });
  return rows.map((r) => ({ id: r.id, user: r.user_name, created: r.ctime, expires: r.expires, ...(r.label !== null ? { label: r.label } : {}) }));
}

/**
 * Revokes one token: its owner or an admin. Someone else's token answers as a missing one. Instances
 * that remembered the token forget it at once when revoked through them, others after their token
 * cache time (REPLICAT_TOKEN_CACHE_MS).
 */
export async function revokeToken(ctx: CatalogContext, id: string): Promise<void> {
  if (!TOKEN_ID.test(id)) throw new InvalidArgument('a token id is 32 hexadecimal digits');
  let query = ctx.db.deleteFrom('tokens').where('id', '=', id);
  if (ctx.identity.admin !== true) {
    if (ctx.identity.account === undefined) throw new PermissionDenied('bearer tokens belong to local accounts; this identity has none');
    query = query.where('user_name', '=', ctx.identity.account);
  }
  const gone = await query.returning('id').executeTakeFirst();
  if (gone === undefined) throw new NotExists(`no such token: ${id}`);
  ctx.accountsChanged?.();
}
