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
 * A GUID below a directory the caller may not traverse is answered as one nobody registered. In one
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
      if (entry?.kind !== 'file' || access.blockedOnWay(entry.lfn) !== undefined) return slots.fail(v.index, new NotExists(`no such GUID: ${v.guid}`)), [];
      return [{ index: v.index, guid: v.guid, lfn: entry.lfn }];
    });
    const removed = await removeEntries(inner, targets.map((t) => ({ lfn: t.lfn })));
    targets.forEach((t, k) => {
      const result = removed[k]!;
      if (result.ok) slots.succeed(t.index, null);
      else slots.fail(t.index, namingGuid(result.error, t.guid));
    });
    return slots.toArray();
  });
}

/** A failure to remove a file found by GUID, told by the GUID: the caller may not know the file's name. */
function namingGuid(error: CatalogError, guid: string): CatalogError {
  if (error instanceof PermissionDenied) return new PermissionDenied(`permission denied: remove (guid:${guid})`);
  if (error instanceof NotExists) return new NotExists(`no such GUID: ${guid}`);
  return error;
}
