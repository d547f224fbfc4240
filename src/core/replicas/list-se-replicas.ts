import { reading } from '../../db/transaction';
import type { CatalogContext } from '../context';
import { decodeCursor, encodeCursor, pageSize } from '../cursor';
import { InvalidArgument } from '../errors';
import type { Lfn } from '../names/lfn';
import type { Page } from '../namespace/list-directory';
import { toReplica, type Replica } from './replica';
import { holdsRight } from '../access/rights-in-sql';
import { reachable } from '../access/reachable-in-sql';

export interface SeReplica extends Replica {
  readonly lfn: Lfn;
}

/**
 * Every replica on one storage element, by SURL, a page at a time (for SE drains and consistency checks).
 * Only replicas of files the caller may read, below directories it may traverse: the database leaves the
 * others out before the LIMIT, so every page is full and its cursor holds a SURL the caller was shown.
 */
export async function listSeReplicas(
  ctx: CatalogContext,
  seInput: string,
  options: { readonly limit?: number; readonly cursor?: string } = {},
): Promise<Page<SeReplica>> {
  const se = seInput.trim().toLowerCase();
  if (se === '' || se.length > 255 || /[\s/\u0000-\u001f\u007f-\u009f]/u.test(se) || !se.isWellFormed()) {
    throw new InvalidArgument('se must be a storage element host name');
  }
  const limit = pageSize(options.limit, ctx.limits.defaultPageSize, ctx.limits.maxPageSize);
  const after = options.cursor === undefined ? null : decodeCursor(ctx, options.cursor, `se:${se}`);
  const readable = holdsRight(ctx, 'read', 'entries');
  const way = reachable(ctx, 'entries');
  const rows = await reading(() => {
    let query = ctx.db
      .selectFrom('replicas')
      .innerJoin('entries', 'entries.guid', 'replicas.guid')
      .selectAll('replicas')
      .select('entries.lfn')
      .where('replicas.se', '=', se);
    if (after !== null) query = query.where('replicas.surl', '>', after);
    if (readable !== undefined) query = query.where(readable);
    if (way !== undefined) query = query.where(way);
    return query.orderBy('replicas.surl').limit(limit + 1).execute();
  });
  const items = rows.slice(0, limit).map((row) => ({ ...toReplica(row), lfn: row.lfn as Lfn }));
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? encodeCursor(ctx, `se:${se}`, last.surl) : null };
}
