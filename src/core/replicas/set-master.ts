import { inTransaction } from '../../db/transaction';
import { Access } from '../access/access';
import { checkBulkSize, type CatalogContext } from '../context';
import { CatalogError, NotExists } from '../errors';
import { parseSurl } from '../names/surl';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { describeTarget, parseFileTarget, resolveFileTargets } from './file-target';
import type { Replica } from './replica';
import { lockFiles, makeMasters, replicasBySurl } from './replica-rows';

export interface SetMasterItem {
  readonly lfn?: string;
  readonly guid?: string;
  readonly surl: string;
}

/** Makes an existing replica the master of its file (Fireman: one master per GUID). */
export async function setMasterReplicas(ctx: CatalogContext, items: readonly SetMasterItem[]): Promise<Result<Replica>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => ({ target: parseFileTarget(item), surl: parseSurl(item.surl).surl }));
  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<Replica>(items.length);
    const valid = parsed.flatMap((p, index) => (p instanceof CatalogError ? (slots.fail(index, p), []) : [{ index, ...p }]));
    const files = await resolveFileTargets(trx, valid.map((v) => v.target), new Access(ctx), 'write', 'set-master');
    await lockFiles(trx, files.flatMap((f) => (f.ok ? [f.value.guid] : [])));
    const current = await replicasBySurl(trx, valid.map((v) => v.surl));
    const winners = new Map<string, string>();
    const accepted: { index: number; surl: string }[] = [];
    valid.forEach((v, k) => {
      const file = files[k]!;
      if (!file.ok) return slots.fail(v.index, file.error);
      if (current.get(v.surl)?.guid !== file.value.guid) {
        return slots.fail(v.index, new NotExists(`no replica ${v.surl} of ${describeTarget(v.target)}`));
      }
      winners.set(file.value.guid, v.surl);
      accepted.push({ index: v.index, surl: v.surl });
    });
    await makeMasters(trx, winners);
    const rows = await replicasBySurl(trx, accepted.map((a) => a.surl));
    for (const a of accepted) slots.succeed(a.index, rows.get(a.surl)!);
    return slots.toArray();
  });
}
