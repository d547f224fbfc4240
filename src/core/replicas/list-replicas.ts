import { reading } from '../../db/transaction';
import { anyUuid } from '../../db/sql-helpers';
import { Access } from '../access/access';
import { checkBulkSize, type CatalogContext } from '../context';
import { CatalogError } from '../errors';
import type { Guid } from '../names/guid';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { ENTRY_HEADS } from '../namespace/lookup';
import { parseFileTarget, resolveFileTargetsReading } from './file-target';
import { asReplica, compareReplicas, REPLICA_COLUMNS, type Replica } from './replica';

export interface ListReplicasItem {
  readonly lfn?: string;
  readonly guid?: string;
}

export interface FileReplicas {
  readonly guid: Guid;
  readonly replicas: readonly Replica[];
}

/**
 * The replicas of many files: one query to find the files (only what resolving names and checking access
 * needs of them), one to fetch every replica, master first.
 */
export async function listReplicas(ctx: CatalogContext, items: readonly ListReplicasItem[]): Promise<Result<FileReplicas>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, parseFileTarget);
  const slots = new ResultSlots<FileReplicas>(items.length);
  const valid = parsed.flatMap((p, index) => (p instanceof CatalogError ? (slots.fail(index, p), []) : [{ index, target: p }]));
  await reading(async () => {
    const files = await resolveFileTargetsReading(ENTRY_HEADS, ctx.db, valid.map((v) => v.target), new Access(ctx), 'read', 'list-replicas');
    const guids = [...new Set(files.flatMap((f) => (f.ok ? [f.value.guid] : [])))];
    const rows = guids.length === 0 ? [] : await ctx.db.selectFrom('replicas').select(REPLICA_COLUMNS).where('guid', '=', anyUuid(guids)).execute();
    const byGuid = new Map<string, Replica[]>();
    for (const row of rows) {
      const list = byGuid.get(row.guid) ?? [];
      list.push(asReplica(row));
      byGuid.set(row.guid, list);
    }
    valid.forEach((v, k) => {
      const file = files[k]!;
      if (!file.ok) return slots.fail(v.index, file.error);
      const replicas = (byGuid.get(file.value.guid) ?? []).sort(compareReplicas);
      slots.succeed(v.index, { guid: file.value.guid, replicas });
    });
  });
  return slots.toArray();
}
