import { reading } from '../../db/transaction';
import { Access } from '../access/access';
import { checkBulkSize, type CatalogContext } from '../context';
import { CatalogError } from '../errors';
import { parseGuid } from '../names/guid';
import { filesByGuid } from '../namespace/lookup';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';

export interface HasGuidItem {
  readonly guid: string;
}

/**
 * Does a file with each GUID exist, as far as the caller can see? A file below a directory the caller may
 * not traverse answers false, exactly like a GUID nobody registered, so the answer reveals nothing the
 * caller could not reach by name. No right on the file itself is needed. One query for the files, one for
 * the directories above them.
 */
export async function guidsExist(ctx: CatalogContext, items: readonly HasGuidItem[]): Promise<Result<boolean>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => parseGuid(item.guid));
  const slots = new ResultSlots<boolean>(items.length);
  const valid = parsed.flatMap((p, index) => (p instanceof CatalogError ? (slots.fail(index, p), []) : [{ index, guid: p }]));
  const access = new Access(ctx);
  await reading(async () => {
    const files = await filesByGuid(ctx.db, valid.map((v) => v.guid));
    await access.loadAncestors(ctx.db, [...files.values()].map((e) => e.lfn));
    for (const v of valid) {
      const entry = files.get(v.guid);
      slots.succeed(v.index, entry?.kind === 'file' && access.blockedOnWay(entry.lfn) === undefined);
    }
  });
  return slots.toArray();
}
