import { reading } from '../../db/transaction';
import { checkBulkSize, type CatalogContext } from '../context';
import type { Entry } from '../entry';
import { CatalogError } from '../errors';
import { parseLfn, type Lfn } from '../names/lfn';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { resolvePaths } from './resolve';
import { Access } from '../access/access';

export interface StatItem {
  readonly lfn: string;
  /** Follow a symlink at the end of the path (default true); false describes the link itself. */
  readonly follow?: boolean;
}

/**
 * Describes entries (needs `read` on each, and `execute` on every directory on the way). One index probe
 * per name for plain paths, all in one query.
 */
export async function statEntries(ctx: CatalogContext, items: readonly StatItem[]): Promise<Result<Entry>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => ({ lfn: parseLfn(item.lfn), follow: item.follow !== false }));
  const slots = new ResultSlots<Entry>(items.length);
  const access = new Access(ctx);
  const groups = { follow: [] as { index: number; lfn: Lfn }[], noFollow: [] as { index: number; lfn: Lfn }[] };
  parsed.forEach((p, index) => {
    if (p instanceof CatalogError) slots.fail(index, p);
    else (p.follow ? groups.follow : groups.noFollow).push({ index, lfn: p.lfn });
  });
  for (const [group, follow] of [
    [groups.follow, true],
    [groups.noFollow, false],
  ] as const) {
    if (group.length === 0) continue;
    const resolved = await reading(() => resolvePaths(ctx.db, group.map((g) => g.lfn), follow, access));
    group.forEach((g, k) => {
      const result = resolved[k]!;
      if (!result.ok) return slots.fail(g.index, result.error);
      // As in POSIX, a link's own rights are not consulted: describing it needs only the way to it.
      const denied = result.value.kind === 'symlink' ? null : access.deny(result.value, 'read', 'stat');
      if (denied) slots.fail(g.index, denied);
      else slots.succeed(g.index, result.value);
    });
  }
  return slots.toArray();
}
