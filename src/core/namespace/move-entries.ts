import { sql } from 'kysely';
import { inTransaction } from '../../db/transaction';
import { checkBulkSize, type CatalogContext } from '../context';
import { toEntry, type Entry } from '../entry';
import { CatalogError, Exists, InvalidArgument } from '../errors';
import { baseName, isBelow, joinLfn, parentOf, parseLfn, parseNewLfn, ROOT, type Lfn } from '../names/lfn';
import { parseItems } from '../parse-items';
import { RaceLost } from '../race';
import { fail, ok, type Result } from '../result';
import { resolveDirectories, resolvePaths } from './resolve';
import { below } from './subtree';
import { Access } from '../access/access';

export interface MoveItem {
  readonly from: string;
  readonly to: string;
}

/**
 * Renames entries. A directory moves with its whole subtree in one UPDATE. A symlink is moved as
 * itself, never its target. Items are applied in request order, each in its own transaction.
 */
export async function moveEntries(ctx: CatalogContext, items: readonly MoveItem[]): Promise<Result<Entry>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => ({ from: parseLfn(item.from, 'from'), to: parseNewLfn(item.to, ctx.names, 'to') }));
  const results: Result<Entry>[] = [];
  for (const p of parsed) {
    if (p instanceof CatalogError) results.push(fail(p));
    else {
      try {
        results.push(ok(await moveOne(ctx, p.from, p.to)));
      } catch (error) {
        if (!(error instanceof CatalogError)) throw error;
        results.push(fail(error));
      }
    }
  }
  return results;
}

async function moveOne(ctx: CatalogContext, from: Lfn, to: Lfn): Promise<Entry> {
  if (from === ROOT || to === ROOT) throw new InvalidArgument('the root directory cannot be moved or replaced');
  return inTransaction(ctx.db, async (trx) => {
    const access = new Access(ctx);
    const [source] = await resolvePaths(trx, [from], false, access);
    if (!source!.ok) throw source!.error;
    const entry = source!.value;
    // Moving out of a directory is removing from it; moving into one is writing to it.
    const sourceParent = access.directory(parentOf(entry.lfn)!);
    if (sourceParent !== undefined) {
      const denied = access.deny(sourceParent, 'remove', 'move');
      if (denied) throw denied;
    }
    const [destination] = await resolveDirectories(trx, [parentOf(to)!], access);
    if (!destination!.ok) throw destination!.error;
    const refused = access.deny(destination!.value, 'write', 'move');
    if (refused) throw refused;

    // Hold the destination directory still (a concurrent move of it waits) and read where it is now.
    const parent = await trx
      .selectFrom('entries')
      .select(['id', 'lfn', 'kind'])
      .where('id', '=', destination!.value.id)
      .forKeyShare()
      .executeTakeFirst();
    if (parent === undefined || parent.kind !== 'directory') throw new RaceLost(`the directory of ${to} changed`);
    const target = joinLfn(parent.lfn as Lfn, baseName(to));
    if (target === entry.lfn) return entry;
    if (isBelow(target, entry.lfn)) throw new InvalidArgument(`cannot move ${entry.lfn} into itself (${target})`);

    if (entry.kind === 'directory') {
      // Lock the subtree first, then rename it with a fresh snapshot: children committed by creators we
      // waited for are included. A creator that slipped in after is caught by the check below.
      await trx.selectFrom('entries').select('id').where((eb) => eb.or([eb('id', '=', entry.id), below(eb, entry.lfn)])).orderBy('lfn').forUpdate().execute();
    }
    const existing = await trx.selectFrom('entries').select('id').where('lfn', '=', target).executeTakeFirst();
    if (existing !== undefined) throw new Exists(`entry exists: ${target}`);

    await trx
      .updateTable('entries')
      .set({
        lfn: sql<string>`${target}::text || substr(lfn, char_length(${entry.lfn}::text) + 1)`,
        parent_id: sql<string>`CASE WHEN id = ${entry.id}::uuid THEN ${parent.id}::uuid ELSE parent_id END`,
        name: sql<string>`CASE WHEN id = ${entry.id}::uuid THEN ${baseName(target)}::text ELSE name END`,
        mtime: sql<Date>`CASE WHEN id = ${entry.id}::uuid THEN now() ELSE mtime END`,
      })
      .where((eb) => (entry.kind === 'directory' ? eb.or([eb('id', '=', entry.id), below(eb, entry.lfn)]) : eb('id', '=', entry.id)))
      .execute();

    if (entry.kind === 'directory') {
      const stale = await trx.selectFrom('entries').select('id').where((eb) => below(eb, entry.lfn)).limit(1).execute();
      if (stale.length > 0) throw new RaceLost(`an entry was created under ${entry.lfn} while it moved`);
    }
    const moved = await trx.selectFrom('entries').selectAll().where('id', '=', entry.id).executeTakeFirstOrThrow();
    return toEntry(moved);
  });
}
