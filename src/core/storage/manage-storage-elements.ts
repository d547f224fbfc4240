import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/schema';
import { anyText } from '../../db/sql-helpers';
import { inTransaction, reading } from '../../db/transaction';
import { requireAdmin } from '../accounts/account';
import { checkBulkSize, type CatalogContext } from '../context';
import { CatalogError, Conflict, Exists, InvalidArgument, NotExists } from '../errors';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { readStorageElements } from './read-storage-elements';
import {
  parseProtocols,
  parseSeHost,
  parseSeName,
  parseSeStatus,
  parseStorageElementInput,
  parseSurlPrefixes,
  type ParsedPrefix,
  type StorageElement,
  type StorageElementInput,
} from './storage-element';

/** What PATCH may change; the name is the SE's identity and stays. Lists replace the old ones. */
export interface StorageElementChanges {
  readonly host?: string;
  readonly surlPrefixes?: readonly string[];
  readonly status?: string;
  readonly nearline?: boolean;
  readonly protocols?: readonly { readonly scheme: string; readonly turlTemplate: string }[];
}

/**
 * Registers storage elements (admin only). Each item stands alone: Exists for a taken name, Conflict for
 * a SURL prefix another SE already claims (a prefix names one SE, or matching would be ambiguous).
 */
export async function registerStorageElements(ctx: CatalogContext, items: readonly StorageElementInput[]): Promise<Result<StorageElement>[]> {
  requireAdmin(ctx, 'register storage elements');
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, parseStorageElementInput);
  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<StorageElement>(items.length);
    const seenNames = new Set<string>();
    const live = parsed.flatMap((p, index) => {
      if (p instanceof CatalogError) return slots.fail(index, p), [];
      if (seenNames.has(p.name)) return slots.fail(index, new Exists(`storage element exists: ${p.name} (earlier in this request)`)), [];
      seenNames.add(p.name);
      return [{ index, ...p }];
    });
    const inserted = new Set(
      live.length === 0
        ? []
        : (
            await trx
              .insertInto('storage_elements')
              .values(live.map((s) => ({ name: s.name, host: s.host, status: s.status, nearline: s.nearline, protocols: JSON.stringify(s.protocols) })))
              .onConflict((oc) => oc.doNothing())
              .returning('name')
              .execute()
          ).map((r) => r.name),
    );
    const created = live.filter((s) => {
      if (inserted.has(s.name)) return true;
      slots.fail(s.index, new Exists(`storage element exists: ${s.name}`));
      return false;
    });
    // Two new SEs of one request claiming one prefix: the earlier item gets it (rows go in in request order).
    const owners = await claimPrefixes(trx, created.flatMap((s) => s.surlPrefixes.map((p, position) => ({ ...p, position, se: s.name }))));
    // An SE whose prefix another SE already holds is not registered at all: nobody ever sees it half made.
    const refused = created.filter((s) => s.surlPrefixes.some((p) => owners.get(p.prefix) !== s.name));
    for (const s of refused) {
      const taken = s.surlPrefixes.find((p) => owners.get(p.prefix) !== s.name)!;
      slots.fail(s.index, new Conflict(`SURL prefix ${taken.prefix} belongs to storage element ${owners.get(taken.prefix) ?? '?'}`));
    }
    if (refused.length > 0) await trx.deleteFrom('storage_elements').where('name', '=', anyText(refused.map((s) => s.name))).execute();
    const accepted = created.filter((s) => !refused.includes(s));
    const found = new Map((await readStorageElements(trx, accepted.map((s) => s.name))).map((se) => [se.name, se]));
    for (const s of accepted) slots.succeed(s.index, found.get(s.name)!);
    audit(ctx, 'register-storage-elements', accepted.map((s) => s.name));
    return slots.toArray();
  });
}

/** Every registered SE, by name: anyone authenticated may read the registry (the broker and the SRM do). */
export async function listRegisteredStorageElements(ctx: CatalogContext): Promise<StorageElement[]> {
  return reading(() => readStorageElements(ctx.db));
}

export async function getStorageElement(ctx: CatalogContext, name: string): Promise<StorageElement> {
  const [found] = await reading(() => readStorageElements(ctx.db, [parseSeName(name)]));
  if (found === undefined) throw new NotExists(`no such storage element: ${name}`);
  return found;
}

/** Changes an SE (admin only); given lists replace the old ones whole. */
export async function updateStorageElement(ctx: CatalogContext, name: string, changes: StorageElementChanges): Promise<StorageElement> {
  requireAdmin(ctx, 'change storage elements');
  const seName = parseSeName(name);
  const host = changes.host === undefined ? undefined : parseSeHost(changes.host);
  const status = changes.status === undefined ? undefined : parseSeStatus(changes.status);
  const prefixes = changes.surlPrefixes === undefined ? undefined : parseSurlPrefixes(changes.surlPrefixes);
  const protocols = changes.protocols === undefined ? undefined : parseProtocols(changes.protocols);
  if (host === undefined && status === undefined && prefixes === undefined && protocols === undefined && changes.nearline === undefined) {
    throw new InvalidArgument('nothing to change: give host, surlPrefixes, status, nearline or protocols');
  }
  const updated = await inTransaction(ctx.db, async (trx) => {
    const row = await trx
      .updateTable('storage_elements')
      .set({
        mtime: sql`now()`,
        ...(host !== undefined ? { host } : {}),
        ...(status !== undefined ? { status } : {}),
        ...(changes.nearline !== undefined ? { nearline: changes.nearline } : {}),
        ...(protocols !== undefined ? { protocols: JSON.stringify(protocols) } : {}),
      })
      .where('name', '=', seName)
      .returning('name')
      .executeTakeFirst();
    if (row === undefined) throw new NotExists(`no such storage element: ${seName}`);
    if (prefixes !== undefined) {
      await trx.deleteFrom('storage_element_prefixes').where('se_name', '=', seName).execute();
      const owners = await claimPrefixes(trx, prefixes.map((p, position) => ({ ...p, position, se: seName })));
      const taken = prefixes.find((p) => owners.get(p.prefix) !== seName);
      // Thrown inside the transaction: the whole change rolls back, the SE stays as it was.
      if (taken) throw new Conflict(`SURL prefix ${taken.prefix} belongs to storage element ${owners.get(taken.prefix) ?? '?'}`);
    }
    const [se] = await readStorageElements(trx, [seName]);
    return se!;
  });
  audit(ctx, 'update-storage-element', [seName], JSON.stringify(changes));
  return updated;
}

/**
 * Unregisters an SE (admin only). Its replicas stay in the catalog: they are facts about files, and the
 * SE may come back; until then they count as replicas on an unregistered SE named by their host.
 */
export async function removeStorageElement(ctx: CatalogContext, name: string): Promise<void> {
  requireAdmin(ctx, 'remove storage elements');
  const seName = parseSeName(name);
  const removed = await inTransaction(ctx.db, (trx) => trx.deleteFrom('storage_elements').where('name', '=', seName).returning('name').executeTakeFirst());
  if (removed === undefined) throw new NotExists(`no such storage element: ${seName}`);
  audit(ctx, 'remove-storage-element', [seName]);
}

/**
 * Inserts prefix rows, keeping those another SE holds, and answers who owns each prefix afterwards: the
 * caller compares that with the SE it meant to give them to.
 */
async function claimPrefixes(
  trx: Transaction<Database>,
  rows: readonly (ParsedPrefix & { readonly position: number; readonly se: string })[],
): Promise<Map<string, string>> {
  if (rows.length === 0) return new Map();
  await trx
    .insertInto('storage_element_prefixes')
    .values(rows.map((r) => ({ prefix: r.prefix, se_name: r.se, host: r.host, position: r.position })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  const owners = await trx.selectFrom('storage_element_prefixes').select(['prefix', 'se_name']).where('prefix', '=', anyText(rows.map((r) => r.prefix))).execute();
  return new Map(owners.map((o) => [o.prefix, o.se_name]));
}

function audit(ctx: CatalogContext, action: string, names: readonly string[], detail?: string): void {
  if (names.length === 0) return;
  ctx.audit?.({ action, actor: ctx.identity.dn, detail: `${names.join(', ')}${detail ? ` ${detail}` : ''}` });
}
