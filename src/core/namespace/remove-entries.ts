import { sql } from 'kysely';
import { inTransaction } from '../../db/transaction';
import { anyUuid } from '../../db/sql-helpers';
import { checkBulkSize, type CatalogContext } from '../context';
import { CatalogError, InvalidArgument, NotEmpty, NotExists, PermissionDenied } from '../errors';
import { ancestorsOf, parentOf, parseLfn, ROOT, type Lfn } from '../names/lfn';
import { Access } from '../access/access';
import { toEntry } from '../entry';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { resolvePaths } from './resolve';
import { below } from './subtree';

export interface RemoveItem {
  readonly lfn: string;
  /** Remove a directory with everything below it. Without it, only an empty directory goes. */
  readonly recursive?: boolean;
}

/**
 * Removes entries: files (with their replicas) and symlinks (never their targets) in one statement;
 * empty directories in one more; each recursive removal in one range DELETE. Items are independent:
 * the outcome is that of applying them in some order, never a half-removed item.
 */
export async function removeEntries(ctx: CatalogContext, items: readonly RemoveItem[]): Promise<Result<null>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => {
    const lfn = parseLfn(item.lfn);
    if (lfn === ROOT) throw new InvalidArgument('the root directory cannot be removed');
    return { lfn, recursive: item.recursive === true };
  });

  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<null>(items.length);
    const targets: { index: number; lfn: Lfn; recursive: boolean }[] = [];
    parsed.forEach((p, index) => (p instanceof CatalogError ? slots.fail(index, p) : targets.push({ index, ...p })));

    const access = new Access(ctx);
    const resolved = await resolvePaths(trx, targets.map((t) => t.lfn), false, access);
    // The same entry named twice: the first item that removes it succeeds, later ones find it gone.
    const claimed = new Set<string>();
    const settle = (index: number, id: string, removed: boolean, otherwise: () => CatalogError) => {
      if (removed && !claimed.has(id)) {
        claimed.add(id);
        slots.succeed(index, null);
      } else slots.fail(index, removed ? new NotExists('no such entry (removed earlier in this request)') : otherwise());
    };
    const leaves: { index: number; id: string }[] = [];
    const emptyDirs: { index: number; id: string; lfn: string }[] = [];
    const trees: { index: number; id: string; lfn: Lfn }[] = [];
    targets.forEach((t, k) => {
      const result = resolved[k]!;
      if (!result.ok) return slots.fail(t.index, result.error);
      const entry = result.value;
      const parent = access.directory(parentOf(entry.lfn)!);
      const denied = parent === undefined ? null : access.deny(parent, 'remove', 'remove', parent.lfn);
      if (denied) return slots.fail(t.index, denied);
      if (entry.kind !== 'directory') leaves.push({ index: t.index, id: entry.id });
      else if (t.recursive) trees.push({ index: t.index, id: entry.id, lfn: entry.lfn });
      else emptyDirs.push({ index: t.index, id: entry.id, lfn: entry.lfn });
    });

    if (leaves.length > 0) {
      const gone = new Set(
        (await trx.deleteFrom('entries').where('id', '=', anyUuid(leaves.map((l) => l.id))).returning('id').execute()).map((r) => r.id),
      );
      for (const leaf of leaves) settle(leaf.index, leaf.id, gone.has(leaf.id), () => new NotExists('no such entry (removed concurrently)'));
    }
    if (emptyDirs.length > 0) {
      const gone = new Set(
        (
          await trx
            .deleteFrom('entries')
            .where('id', '=', anyUuid(emptyDirs.map((d) => d.id)))
            .where(({ not, exists, selectFrom }) =>
              not(exists(selectFrom('entries as child').select(sql`1`.as('one')).whereRef('child.parent_id', '=', 'entries.id'))),
            )
            .returning('id')
            .execute()
        ).map((r) => r.id),
      );
      for (const dir of emptyDirs) settle(dir.index, dir.id, gone.has(dir.id), () => new NotEmpty(`directory not empty: ${dir.lfn}`));
    }
    for (const tree of trees) {
      // Emptying a directory removes from it: every directory of the subtree must allow `remove`.
      const locked = await firstUnremovable(trx, access, tree.lfn);
      if (locked !== null) {
        const where = locked.shown ? locked.lfn : `a directory below ${tree.lfn}`;
        slots.fail(tree.index, new PermissionDenied(`permission denied: remove in ${where} (recursive remove of ${tree.lfn})`));
        continue;
      }
      // Lock the tree top-down in LFN order first, the order creators lock parents in: no deadlock.
      await trx
        .selectFrom('entries')
        .select('id')
        .where((eb) => eb.or([eb('id', '=', tree.id), below(eb, tree.lfn)]))
        .orderBy('lfn')
        .forUpdate()
        .execute();
      // One statement: the foreign key is checked at its end, so parents and children go together.
      const removed = await trx
        .deleteFrom('entries')
        .where((eb) => eb.or([eb('id', '=', tree.id), below(eb, tree.lfn)]))
        .executeTakeFirst();
      settle(tree.index, tree.id, removed.numDeletedRows > 0n || claimed.has(tree.id), () => new NotExists('no such entry (removed concurrently)'));
    }
    return slots.toArray();
  });
}

/**
 * The first directory in the subtree (itself included) the caller may not remove from, or null; `shown`
 * when the caller could find it by listing down from the top, so that a refusal names no hidden directory.
 */
async function firstUnremovable(trx: Transaction<Database>, access: Access, lfn: Lfn): Promise<{ lfn: string; shown: boolean } | null> {
  if (!access.enforced) return null;
  const directories = await trx
    .selectFrom('entries')
    .selectAll()
    .where('kind', '=', 'directory')
    .where((eb) => eb.or([eb('lfn', '=', lfn), below(eb, lfn)]))
    .orderBy('lfn')
    .execute();
  const entries = directories.map(toEntry);
  const blocked = entries.find((d) => !access.allows(d, 'remove', 'remove'));
  if (blocked === undefined) return null;
  const byLfn = new Map(entries.map((d) => [d.lfn, d]));
  const way = ancestorsOf(blocked.lfn as Lfn).filter((a) => a === lfn || a.startsWith(`${lfn}/`));
  const shown = way.every((a) => {
    const directory = byLfn.get(a);
    return directory !== undefined && access.allows(directory, 'list', 'remove') && access.allows(directory, 'execute', 'remove');
  });
  return { lfn: blocked.lfn, shown };
}
