import { inTransaction } from '../../db/transaction';
import { Access } from '../access/access';
import { checkBulkSize, type CatalogContext } from '../context';
import { CatalogError, NotExists, PermissionDenied } from '../errors';
import { parseGuid } from '../names/guid';
import { filesByGuid } from '../namespace/lookup';
import { removeEntries } from '../namespace/remove-entries';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';

export interface RemoveGuidItem {
  readonly guid: string;
}

/**
 * Removes files by GUID, with their replicas: each GUID names one file, which is removed as `removeEntries`
 * removes it by name (its rules: the `remove` right on the directory holding it, the way traversable).
 * A GUID below a directory the caller may not traverse is refused like any other way to it. In one
 * transaction; symlinks pointing at the file stay (dangling), as when the file is removed by name.
 */
export async function removeGuids(ctx: CatalogContext, items: readonly RemoveGuidItem[]): Promise<Result<null>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => parseGuid(item.guid));
  return inTransaction(ctx.db, async (trx) => {
    const inner = { ...ctx, db: trx };
    const slots = new ResultSlots<null>(items.length);
    const valid = parsed.flatMap((p, index) => (p instanceof CatalogError ? (slots.fail(index, p), []) : [{ index, guid: p }]));
    const files = await filesByGuid(trx, valid.map((v) => v.guid));
    const access = new Access(inner);
    await access.loadAncestors(trx, [...files.values()].map((e) => e.lfn));
    const targets = valid.flatMap((v) => {
      const entry = files.get(v.guid);
      if (entry?.kind !== 'file') return slots.fail(v.index, new NotExists(`no such GUID: ${v.guid}`)), [];
      const blocked = access.blockedOnWay(entry.lfn);
      if (blocked) return slots.fail(v.index, new PermissionDenied(`permission denied: cannot traverse ${blocked.lfn} (guid:${v.guid})`)), [];
      return [{ index: v.index, lfn: entry.lfn }];
    });
    const removed = await removeEntries(inner, targets.map((t) => ({ lfn: t.lfn })));
    targets.forEach((t, k) => {
      const result = removed[k]!;
      if (result.ok) slots.succeed(t.index, null);
      else slots.fail(t.index, result.error);
    });
    return slots.toArray();
  });
}
