import { randomUUID } from 'node:crypto';
import { inTransaction } from '../../db/transaction';
import { checkBulkSize, type CatalogContext } from '../context';
import type { DirectoryEntry } from '../entry';
import { CatalogError, Exists, NotExists } from '../errors';
import { depthOf, joinLfn, parentOf, parseNewLfn, type Lfn } from '../names/lfn';
import { parseItems } from '../parse-items';
import { RaceLost } from '../race';
import { ResultSlots, type Result } from '../result';
import { insertEntries, type NewEntry } from './insert-entries';
import { Access } from '../access/access';
import { DEFAULT_BASE } from '../access/permission';
import { entriesByLfn } from './lookup';
import { walkPaths } from './resolve';

export interface MkdirItem {
  readonly lfn: string;
  /** Create missing ancestors too, and accept a directory that exists (mkdir -p). */
  readonly parents?: boolean;
}

/**
 * Makes directories. With `parents`, concurrent requests for overlapping trees never fail spuriously:
 * missing directories are inserted level by level with ON CONFLICT DO NOTHING, so whoever loses the race
 * for a level simply finds it made. Items repeated in one request act in order (the second plain mkdir
 * of a path gets Exists).
 */
export async function makeDirectories(ctx: CatalogContext, items: readonly MkdirItem[]): Promise<Result<DirectoryEntry>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => ({ lfn: parseNewLfn(item.lfn, ctx.names), parents: item.parents === true }));

  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<DirectoryEntry>(items.length);
    const live: { index: number; lfn: Lfn; parents: boolean }[] = [];
    parsed.forEach((p, index) => (p instanceof CatalogError ? slots.fail(index, p) : live.push({ index, ...p })));

    const access = new Access(ctx);
    const walks = await walkPaths(trx, live.map((item) => item.lfn), true, access);
    // Canonical path each item wants, and every directory to create on the way, by depth.
    const wanted = new Map<number, Lfn>();
    const toCreate = new Map<Lfn, Lfn>(); // directory → its parent
    live.forEach((item, k) => {
      const walk = walks[k]!;
      switch (walk.kind) {
        case 'failed':
          slots.fail(item.index, walk.error);
          return;
        case 'found':
          if (walk.entry.kind === 'directory' && item.parents) slots.succeed(item.index, walk.entry);
          else slots.fail(item.index, new Exists(`entry exists: ${item.lfn}`));
          return;
        case 'missing': {
          if (!item.parents && walk.rest.length > 1) {
            slots.fail(item.index, new NotExists(`no such directory: ${parentOf(item.lfn)}`));
            return;
          }
          // What this item creates below `base` is the caller's own; only `base` must let them write.
          const denied = access.deny(walk.base, 'write', 'mkdir');
          if (denied) {
            slots.fail(item.index, denied);
            return;
          }
          let dir: Lfn = walk.base.lfn;
          try {
            for (const name of walk.rest) {
              const child = joinLfn(dir, name);
              toCreate.set(child, dir);
              dir = child;
            }
          } catch (error) {
            slots.fail(item.index, error as CatalogError);
            return;
          }
          wanted.set(item.index, dir);
        }
      }
    });

    const byDepth = new Map<number, NewEntry[]>();
    for (const [lfn, parentLfn] of toCreate) {
      const depth = depthOf(lfn);
      const level = byDepth.get(depth) ?? [];
      level.push({
        id: randomUUID(),
        parentLfn,
        lfn,
        name: lfn.slice(lfn.lastIndexOf('/') + 1),
        kind: 'directory',
        guid: null,
        target: null,
        size: null,
        checksumType: null,
        checksum: null,
        owner: ctx.identity.dn,
        group: ctx.identity.group,
        base: DEFAULT_BASE,
      });
      byDepth.set(depth, level);
    }
    const madeHere = new Set<string>();
    for (const depth of [...byDepth.keys()].sort((a, b) => a - b)) {
      for (const entry of (await insertEntries(trx, byDepth.get(depth)!)).values()) madeHere.add(entry.lfn);
    }

    const finals = await entriesByLfn(trx, [...new Set(wanted.values())]);
    const claimed = new Set<string>();
    for (const item of live) {
      const lfn = wanted.get(item.index);
      if (lfn === undefined) continue;
      const entry = finals.get(lfn);
      if (entry === undefined) throw new RaceLost(`a directory on the way to ${lfn} was moved or removed`);
      const mine = madeHere.has(lfn) && !claimed.has(lfn);
      if (entry.kind === 'directory' && (item.parents || mine)) {
        claimed.add(lfn);
        slots.succeed(item.index, entry);
      } else slots.fail(item.index, new Exists(`entry exists: ${item.lfn}`));
    }
    return slots.toArray();
  });
}
