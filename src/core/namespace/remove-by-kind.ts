import { inTransaction } from '../../db/transaction';
import { checkBulkSize, type CatalogContext } from '../context';
import type { Entry } from '../entry';
import { IsADirectory, NotADirectory, type CatalogError } from '../errors';
import { fail, type Result } from '../result';
import { removeEntries } from './remove-entries';
import { statEntries } from './stat';

export interface LfnItem {
  readonly lfn: string;
}

/** rmdir: removes empty directories; anything else is NotADirectory (a symlink to a directory included). */
export function removeDirectories(ctx: CatalogContext, items: readonly LfnItem[]): Promise<Result<null>[]> {
  return removeOfKind(ctx, items, (entry) => (entry.kind === 'directory' ? null : new NotADirectory(`not a directory: ${entry.lfn}`)));
}

/** unlink: removes files (with their replicas) and symlinks (never their targets); a directory is IsADirectory. */
export function unlinkEntries(ctx: CatalogContext, items: readonly LfnItem[]): Promise<Result<null>[]> {
  return removeOfKind(ctx, items, (entry) => (entry.kind === 'directory' ? new IsADirectory(`is a directory: ${entry.lfn}`) : null));
}

/** Checks each entry's kind (the entry itself, links not followed) and removes the ones that pass, in one transaction. */
async function removeOfKind(
  ctx: CatalogContext,
  items: readonly LfnItem[],
  refuse: (entry: Entry) => CatalogError | null,
): Promise<Result<null>[]> {
  checkBulkSize(ctx, items.length);
  return inTransaction(ctx.db, async (trx) => {
    const inner = { ...ctx, db: trx };
    const stats = await statEntries(inner, items.map((item) => ({ lfn: item.lfn, follow: false })));
    const results: Result<null>[] = new Array<Result<null>>(items.length);
    const removable: { index: number; lfn: string }[] = [];
    stats.forEach((stat, index) => {
      if (!stat.ok) results[index] = stat;
      else {
        const refusal = refuse(stat.value);
        if (refusal) results[index] = fail(refusal);
        else removable.push({ index, lfn: stat.value.lfn });
      }
    });
    const removed = await removeEntries(inner, removable.map((r) => ({ lfn: r.lfn })));
    removable.forEach((r, k) => (results[r.index] = removed[k]!));
    return results;
  });
}
