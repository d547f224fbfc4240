import { inTransaction } from '../../db/transaction';
import { anyUuid } from '../../db/sql-helpers';
import { Access } from '../access/access';
import { checkBulkSize, type CatalogContext } from '../context';
import { CatalogError, Exists } from '../errors';
import { parseSurl } from '../names/surl';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { refusedUnregistered } from '../storage/unregistered-surls';
import { parseFileTarget, resolveFileTargets } from './file-target';
import type { Replica } from './replica';
import { insertReplicas, lockFiles, makeMasters, replicasBySurl, type NewReplica } from './replica-rows';

export interface AddReplicaItem {
  readonly lfn?: string;
  readonly guid?: string;
  readonly surl: string;
  /** Make this the master replica (the previous master stays, demoted). */
  readonly master?: boolean;
}

/**
 * Registers replicas of existing files. A file's first replica becomes its master unless another is
 * marked; when several items of one request mark a master for one file, the last one wins.
 */
export async function addReplicas(ctx: CatalogContext, items: readonly AddReplicaItem[]): Promise<Result<Replica>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => ({
    target: parseFileTarget(item),
    ...parseSurl(item.surl),
    master: item.master === true,
  }));
  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<Replica>(items.length);
    const valid = parsed.flatMap((p, index) => (p instanceof CatalogError ? (slots.fail(index, p), []) : [{ index, ...p }]));
    const files = await resolveFileTargets(trx, valid.map((v) => v.target), new Access(ctx), 'write', 'add-replica');

    const candidates: (NewReplica & { index: number })[] = [];
    const seenSurls = new Set<string>();
    const unregistered = await refusedUnregistered(ctx, trx, valid);
    valid.forEach((v, k) => {
      const file = files[k]!;
      if (!file.ok) return slots.fail(v.index, file.error);
      const offSite = unregistered.get(v.surl);
      if (offSite) return slots.fail(v.index, offSite);
      if (seenSurls.has(v.surl)) return slots.fail(v.index, new Exists(`replica already registered: ${v.surl} (earlier in this request)`));
      seenSurls.add(v.surl);
      candidates.push({ index: v.index, guid: file.value.guid, surl: v.surl, se: v.se, master: v.master });
    });

    await lockFiles(trx, candidates.map((c) => c.guid));
    // Inserted as non-masters first: masters are settled below, only among replicas that really went in.
    const inserted = await insertReplicas(trx, candidates.map((c) => ({ ...c, master: false })));
    const refused = candidates.filter((c) => !inserted.has(c.surl));
    if (refused.length > 0) {
      const holders = await replicasBySurl(trx, refused.map((c) => c.surl));
      for (const c of refused) {
        const holder = holders.get(c.surl);
        slots.fail(
          c.index,
          new Exists(
            holder && holder.guid !== c.guid
              ? `SURL already registered to another file: ${c.surl}`
              : `replica already registered: ${c.surl}`,
          ),
        );
      }
    }

    const accepted = candidates.filter((c) => inserted.has(c.surl));
    const guids = [...new Set(accepted.map((c) => c.guid))];
    const withMaster = new Set(
      guids.length === 0
        ? []
        : (
            await trx.selectFrom('replicas').select('guid').where('guid', '=', anyUuid(guids)).where('is_master', '=', true).execute()
          ).map((r) => r.guid),
    );
    const winners = new Map<string, string>();
    for (const c of accepted) {
      if (c.master) winners.set(c.guid, c.surl);
      else if (!withMaster.has(c.guid) && !winners.has(c.guid)) winners.set(c.guid, c.surl);
    }
    await makeMasters(trx, winners);

    const rows = await replicasBySurl(trx, accepted.map((c) => c.surl));
    for (const c of accepted) slots.succeed(c.index, rows.get(c.surl)!);
    return slots.toArray();
  });
}
