import { reading } from '../../db/transaction';
import type { CatalogContext } from '../context';
import { decodeCursor, encodeCursor, pageSize } from '../cursor';
import { InvalidArgument } from '../errors';
import type { Lfn } from '../names/lfn';
import type { Page } from '../namespace/list-directory';
import { toReplica, type Replica } from './replica';
import { Access } from '../access/access';
import type { Guid } from '../names/guid';
import { resolveFileTargets } from './file-target';

export interface SeReplica extends Replica {
  readonly lfn: Lfn;
}

/** Every replica on one storage element, by SURL, a page at a time (for SE drains and consistency checks). */
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
  const after = options.cursor === undefined ? null : decodeCursor(options.cursor, `se:${se}`);
  const rows = await reading(() => {
    let query = ctx.db
      .selectFrom('replicas')
      .innerJoin('entries', 'entries.guid', 'replicas.guid')
      .selectAll('replicas')
      .select('entries.lfn')
      .where('replicas.se', '=', se);
    if (after !== null) query = query.where('replicas.surl', '>', after);
    return query.orderBy('replicas.surl').limit(limit + 1).execute();
  });
  const page = rows.slice(0, limit);
  // Replicas of files the caller may not read are left out; the page may then be short, the cursor still
  // continues after the last SURL scanned.
  const access = new Access(ctx);
  const visible = access.enforced ? await readableGuids(ctx, access, page.map((row) => row.guid)) : null;
  const items = page.filter((row) => visible === null || visible.has(row.guid)).map((row) => ({ ...toReplica(row), lfn: row.lfn as Lfn }));
  const last = page.at(-1);
  return { items, next: rows.length > limit && last ? encodeCursor(`se:${se}`, last.surl) : null };
}

async function readableGuids(ctx: CatalogContext, access: Access, guids: readonly string[]): Promise<Set<string>> {
  const files = await reading(() => resolveFileTargets(ctx.db, guids.map((guid) => ({ by: 'guid', guid: guid as Guid })), access, 'read', 'list-se'));
  return new Set(files.flatMap((f) => (f.ok ? [f.value.guid] : [])));
}
