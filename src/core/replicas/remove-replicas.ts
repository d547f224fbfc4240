import { sql } from 'kysely';
import { inTransaction } from '../../db/transaction';
import { Access } from '../access/access';
import { checkBulkSize, type CatalogContext } from '../context';
import { CatalogError, NotExists } from '../errors';
import { parseSurl } from '../names/surl';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { describeTarget, parseFileTarget, resolveFileTargets } from './file-target';
import { lockFiles, promoteOrphanedMasters } from './replica-rows';

export interface RemoveReplicaItem {
  readonly lfn?: string;
  readonly guid?: string;
  readonly surl: string;
}

/** Unregisters replicas. When a master goes, the oldest remaining replica of that file becomes master. */
export async function removeReplicas(ctx: CatalogContext, items: readonly RemoveReplicaItem[]): Promise<Result<null>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => ({ target: parseFileTarget(item), surl: parseSurl(item.surl).surl }));
  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<null>(items.length);
    const valid = parsed.flatMap((p, index) => (p instanceof CatalogError ? (slots.fail(index, p), []) : [{ index, ...p }]));
    const files = await resolveFileTargets(trx, valid.map((v) => v.target), new Access(ctx), 'write', 'remove-replica');
    const pairs: { index: number; guid: string; surl: string; name: string }[] = [];
    valid.forEach((v, k) => {
      const file = files[k]!;
      if (file.ok) pairs.push({ index: v.index, guid: file.value.guid, surl: v.surl, name: describeTarget(v.target) });
      else slots.fail(v.index, file.error);
    });
    await lockFiles(trx, pairs.map((p) => p.guid));
    const deleted =
      pairs.length === 0
        ? []
        : (
            await sql<{ guid: string; surl: string; is_master: boolean }>`
              DELETE FROM replicas r
              USING unnest(${pairs.map((p) => p.guid)}::uuid[], ${pairs.map((p) => p.surl)}::text[]) AS u(guid, surl)
              WHERE r.guid = u.guid AND r.surl = u.surl
              RETURNING r.guid, r.surl, r.is_master`.execute(trx)
          ).rows;
    const gone = new Set(deleted.map((d) => d.surl));
    const claimed = new Set<string>();
    for (const pair of pairs) {
      if (gone.has(pair.surl) && !claimed.has(pair.surl)) {
        claimed.add(pair.surl);
        slots.succeed(pair.index, null);
      } else slots.fail(pair.index, new NotExists(`no replica ${pair.surl} of ${pair.name}`));
    }
    await promoteOrphanedMasters(trx, [...new Set(deleted.filter((d) => d.is_master).map((d) => d.guid))]);
    return slots.toArray();
  });
}
