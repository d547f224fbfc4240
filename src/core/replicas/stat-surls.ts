import { reading } from '../../db/transaction';
import { anyText } from '../../db/sql-helpers';
import { Access } from '../access/access';
import { checkBulkSize, type CatalogContext } from '../context';
import { CatalogError, NotExists } from '../errors';
import type { Guid } from '../names/guid';
import { parseSurl } from '../names/surl';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { resolveFileTargets } from './file-target';
import { toReplica, type Replica } from './replica';

export interface SurlItem {
  readonly surl: string;
}

/**
 * SURL → its replica (master flag, times), in bulk: one query for the replicas, a few for their files.
 * The caller needs `read` on the file and the way to it, as for listing the file's replicas; a SURL of a
 * file it may not reach is answered as one nobody registered.
 */
export async function statSurls(ctx: CatalogContext, items: readonly SurlItem[]): Promise<Result<Replica>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => parseSurl(item.surl).surl);
  const slots = new ResultSlots<Replica>(items.length);
  const valid = parsed.flatMap((p, index) => (p instanceof CatalogError ? (slots.fail(index, p), []) : [{ index, surl: p }]));
  await reading(async () => {
    const rows = valid.length === 0 ? [] : await ctx.db.selectFrom('replicas').selectAll().where('surl', '=', anyText(valid.map((v) => v.surl))).execute();
    const bySurl = new Map(rows.map((row) => [row.surl, toReplica(row)]));
    const found = valid.flatMap((v) => {
      const replica = bySurl.get(v.surl);
      if (replica === undefined) return slots.fail(v.index, new NotExists(`no such SURL: ${v.surl}`)), [];
      return [{ index: v.index, replica }];
    });
    const files = await resolveFileTargets(ctx.db, found.map((f) => ({ by: 'guid' as const, guid: f.replica.guid as Guid, surl: f.replica.surl })), new Access(ctx), 'read', 'stat-surl');
    found.forEach((f, k) => {
      const file = files[k]!;
      if (file.ok) slots.succeed(f.index, f.replica);
      else slots.fail(f.index, file.error);
    });
  });
  return slots.toArray();
}
