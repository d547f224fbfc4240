import { inTransaction } from '../../db/transaction';
import { checkBulkSize, type CatalogContext } from '../context';
import { removeEntries } from '../namespace/remove-entries';
import type { Result } from '../result';
import { listReplicas } from './list-replicas';
import { removeReplicas, type RemoveReplicaItem } from './remove-replicas';
import { statGuids } from './stat-guids';

/**
 * Unregisters replicas and, when asked, removes each file whose last replica went (Fireman's
 * removeReplica with removeLfnOnLastReplica). One transaction: no file is left half-pruned.
 */
export async function removeReplicasAndEmptyFiles(
  ctx: CatalogContext,
  items: readonly RemoveReplicaItem[],
  removeFileOnLastReplica: boolean,
): Promise<Result<null>[]> {
  checkBulkSize(ctx, items.length);
  return inTransaction(ctx.db, async (trx) => {
    const inner = { ...ctx, db: trx };
    const results = await removeReplicas(inner, items);
    if (!removeFileOnLastReplica) return results;
    const touched = items.filter((_, index) => results[index]!.ok).map((item) => (item.guid !== undefined ? { guid: item.guid } : { lfn: item.lfn }));
    const left = await listReplicas(inner, touched);
    const emptyGuids = [...new Set(left.flatMap((file) => (file.ok && file.value.replicas.length === 0 ? [file.value.guid] : [])))];
    const files = await statGuids(inner, emptyGuids.map((guid) => ({ guid })));
    const lfns = files.flatMap((file) => (file.ok ? [{ lfn: file.value.lfn }] : []));
    for (const removed of await removeEntries(inner, lfns)) if (!removed.ok) throw removed.error;
    return results;
  });
}
