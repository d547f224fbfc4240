import { reading } from '../../db/transaction';
import { checkBulkSize, type CatalogContext } from '../context';
import type { FileEntry } from '../entry';
import { CatalogError } from '../errors';
import { parseGuid } from '../names/guid';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { resolveFileTargets } from './file-target';
import { Access } from '../access/access';

export interface GuidItem {
  readonly guid: string;
}

/** GUID → the file it names (its LFN, size, checksum, times), in bulk: one query. */
export async function statGuids(ctx: CatalogContext, items: readonly GuidItem[]): Promise<Result<FileEntry>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => parseGuid(item.guid));
  const slots = new ResultSlots<FileEntry>(items.length);
  const valid = parsed.flatMap((p, index) => (p instanceof CatalogError ? (slots.fail(index, p), []) : [{ index, guid: p }]));
  const files = await reading(() => resolveFileTargets(ctx.db, valid.map((v) => ({ by: 'guid' as const, guid: v.guid })), new Access(ctx), 'read', 'stat-guid'));
  valid.forEach((v, k) => {
    const file = files[k]!;
    if (file.ok) slots.succeed(v.index, file.value);
    else slots.fail(v.index, file.error);
  });
  return slots.toArray();
}
