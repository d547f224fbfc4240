import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database, EntryKind } from '../../db/schema';
import { Access } from '../access/access';
import { DEFAULT_BASE } from '../access/permission';
import type { CatalogContext } from '../context';
import type { Entry } from '../entry';
import { Exists } from '../errors';
import { baseName, joinLfn, parentOf, type Lfn } from '../names/lfn';
import { RaceLost } from '../race';
import type { ResultSlots } from '../result';
import { entriesByLfn, filesByGuid } from './lookup';
import { insertEntries, type NewEntry } from './insert-entries';
import { resolveDirectories } from './resolve';

/** What a new file or symlink carries besides its place in the namespace. */
export interface EntryPayload {
  readonly kind: Exclude<EntryKind, 'directory'>;
  readonly guid: string | null;
  readonly target: string | null;
  readonly size: number | null;
  readonly checksumType: string | null;
  readonly checksum: string | null;
}

export interface CreateSpec {
  /** Index of the request item this spec came from. */
  readonly index: number;
  readonly lfn: Lfn;
  readonly payload: EntryPayload;
}

/**
 * The shared path of every create: resolve each parent (following links), put the entry at its
 * canonical path, insert everything in one statement, and settle each item as created or as the error
 * that stopped it. Items repeated within one request behave as if applied in order: the first wins.
 * Returns the created entries by request index.
 */
export async function createUnderParents(
  trx: Transaction<Database>,
  ctx: CatalogContext,
  specs: readonly CreateSpec[],
  slots: ResultSlots<unknown>,
): Promise<Map<number, Entry>> {
  const access = new Access(ctx);
  const live = specs.filter((spec) => {
    if (parentOf(spec.lfn) === null) slots.fail(spec.index, new Exists('the root directory exists'));
    return parentOf(spec.lfn) !== null;
  });
  const parents = [...new Set(live.map((spec) => parentOf(spec.lfn)!))];
  const resolved = new Map(
    (await resolveDirectories(trx, parents, access)).map((result, i) => [parents[i]!, result] as const),
  );

  const rows: NewEntry[] = [];
  const specOfRow = new Map<string, CreateSpec>();
  const seenLfns = new Set<string>();
  const seenGuids = new Set<string>();
  for (const spec of live) {
    const parent = resolved.get(parentOf(spec.lfn)!)!;
    if (!parent.ok) {
      slots.fail(spec.index, parent.error);
      continue;
    }
    const denied = access.deny(parent.value, 'write', 'create', parent.value.lfn);
    if (denied) {
      slots.fail(spec.index, denied);
      continue;
    }
    let lfn: Lfn;
    try {
      lfn = joinLfn(parent.value.lfn, baseName(spec.lfn));
    } catch (error) {
      slots.fail(spec.index, error as Exists);
      continue;
    }
    if (seenLfns.has(lfn)) {
      slots.fail(spec.index, new Exists(`entry exists: ${lfn} (earlier in this request)`));
      continue;
    }
    const guid = spec.payload.guid;
    if (guid !== null && seenGuids.has(guid)) {
      slots.fail(spec.index, new Exists(`GUID already registered: ${guid} (earlier in this request)`));
      continue;
    }
    seenLfns.add(lfn);
    if (guid !== null) seenGuids.add(guid);
    const id = randomUUID();
    specOfRow.set(id, spec);
    rows.push({
      id,
      parentLfn: parent.value.lfn,
      lfn,
      name: baseName(lfn),
      ...spec.payload,
      owner: ctx.identity.dn,
      group: ctx.identity.group,
      base: DEFAULT_BASE,
    });
  }

  const inserted = await insertEntries(trx, rows);
  const skipped = rows.filter((row) => !inserted.has(row.id));
  if (skipped.length > 0) {
    const byLfn = await entriesByLfn(trx, skipped.map((row) => row.lfn));
    const byGuid = await filesByGuid(
      trx,
      skipped.flatMap((row) => (row.guid === null ? [] : [row.guid])),
    );
    for (const row of skipped) {
      const spec = specOfRow.get(row.id)!;
      if (byLfn.has(row.lfn)) slots.fail(spec.index, new Exists(`entry exists: ${row.lfn}`));
      else if (row.guid !== null && byGuid.has(row.guid)) {
        slots.fail(spec.index, new Exists(`GUID already registered: ${row.guid}`));
      } else throw new RaceLost(`the parent of ${row.lfn} changed`);
    }
  }
  const created = new Map<number, Entry>();
  for (const [id, entry] of inserted) created.set(specOfRow.get(id)!.index, entry);
  return created;
}
