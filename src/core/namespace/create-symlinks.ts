import { inTransaction } from '../../db/transaction';
import { checkBulkSize, type CatalogContext } from '../context';
import type { SymlinkEntry } from '../entry';
import { CatalogError } from '../errors';
import { parseItems } from '../parse-items';
import { parseNewLfn } from '../names/lfn';
import { ResultSlots, type Result } from '../result';
import { createUnderParents, type CreateSpec } from './create-under-parents';

export interface SymlinkItem {
  readonly lfn: string;
  readonly target: string;
}

/** Creates symlinks (LFN → LFN). A target need not exist yet: dangling links are allowed, as in POSIX. */
export async function createSymlinks(ctx: CatalogContext, items: readonly SymlinkItem[]): Promise<Result<SymlinkEntry>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item, index): CreateSpec => {
    const target = parseNewLfn(item.target, ctx.names, 'symlink target');
    return {
      index,
      lfn: parseNewLfn(item.lfn, ctx.names),
      payload: { kind: 'symlink', guid: null, target, size: null, checksumType: null, checksum: null },
    };
  });
  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<SymlinkEntry>(items.length);
    const specs: CreateSpec[] = [];
    parsed.forEach((p, i) => (p instanceof CatalogError ? slots.fail(i, p) : specs.push(p)));
    const created = await createUnderParents(trx, ctx, specs, slots);
    for (const [index, entry] of created) if (entry.kind === 'symlink') slots.succeed(index, entry);
    return slots.toArray();
  });
}
