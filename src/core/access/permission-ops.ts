import { sql } from 'kysely';
import { inTransaction, reading } from '../../db/transaction';
import { anyUuid } from '../../db/sql-helpers';
import { checkBulkSize, type CatalogContext } from '../context';
import { toEntry, type Entry } from '../entry';
import { CatalogError, InvalidArgument, NotExists, PermissionDenied } from '../errors';
import { parseLfn, type Lfn } from '../names/lfn';
import { resolvePaths } from '../namespace/resolve';
import { parseItems } from '../parse-items';
import { ok, ResultSlots, type Result } from '../result';
import { Access } from './access';
import { grantedRights } from './evaluate';
import { checkPrincipal, MAX_ACL_ENTRIES, toStoredAcl, type AclEntry, type BaseRights, type Permission, type PrincipalKind } from './permission';
import { ALL_RIGHTS, maskOf, rightsOf, type Right } from './rights';

/** A permission as callers write it: rights by name. Every part is optional in a change. */
export interface PermissionInput {
  readonly owner?: string;
  readonly group?: string;
  readonly base?: { readonly owner?: readonly string[]; readonly group?: readonly string[]; readonly other?: readonly string[] };
  readonly acl?: readonly {
    readonly principal: string;
    readonly kind: PrincipalKind;
    readonly allow?: readonly string[];
    readonly deny?: readonly string[];
    readonly inherit?: boolean;
  }[];
}

export type PermissionMode = 'replace' | 'add' | 'remove';

export interface GetPermissionItem {
  readonly lfn: string;
}

export interface SetPermissionItem {
  readonly lfn: string;
  readonly permission: PermissionInput;
  /** replace (default): given parts replace; add: rights and ACL entries are added; remove: they are taken away. */
  readonly mode?: PermissionMode;
}

export interface CheckPermissionItem {
  readonly lfn: string;
  readonly rights: readonly string[];
}

export interface PermissionCheck {
  readonly lfn: Lfn;
  readonly granted: readonly Right[];
  readonly denied: readonly Right[];
}

export interface ChownItem {
  readonly lfn: string;
  readonly owner?: string;
  readonly group?: string;
}

/** The permission of entries (links followed), for callers holding `getMetadata` on them. */
export async function getPermissions(ctx: CatalogContext, items: readonly GetPermissionItem[]): Promise<Result<Permission>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => parseLfn(item.lfn));
  const slots = new ResultSlots<Permission>(items.length);
  const access = new Access(ctx);
  const live = parsed.flatMap((p, index) => (p instanceof CatalogError ? (slots.fail(index, p), []) : [{ index, lfn: p }]));
  const resolved = await reading(() => resolvePaths(ctx.db, live.map((l) => l.lfn), true, access));
  live.forEach((l, k) => {
    const result = resolved[k]!;
    if (!result.ok) return slots.fail(l.index, result.error);
    const denied = access.deny(result.value, 'getMetadata', 'get-permission');
    if (denied) slots.fail(l.index, denied);
    else slots.succeed(l.index, result.value.permission);
  });
  return slots.toArray();
}

/** Which of the asked rights the caller holds on each entry. Asking is always allowed once the entry is reachable. */
export async function checkPermissions(ctx: CatalogContext, items: readonly CheckPermissionItem[]): Promise<Result<PermissionCheck>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => ({ lfn: parseLfn(item.lfn), asked: rightsOf(maskOf(item.rights)) }));
  const slots = new ResultSlots<PermissionCheck>(items.length);
  const access = new Access(ctx);
  const live = parsed.flatMap((p, index) => (p instanceof CatalogError ? (slots.fail(index, p), []) : [{ index, ...p }]));
  const resolved = await reading(() => resolvePaths(ctx.db, live.map((l) => l.lfn), true, access));
  live.forEach((l, k) => {
    const result = resolved[k]!;
    if (!result.ok) return slots.fail(l.index, result.error);
    const mask = access.enforced ? grantedRights(ctx.identity, result.value.permission) : ALL_RIGHTS;
    const held = ctx.identity.admin === true ? ALL_RIGHTS : mask;
    const granted = l.asked.filter((r) => rightsOf(held).includes(r));
    slots.succeed(l.index, { lfn: result.value.lfn, granted, denied: l.asked.filter((r) => !granted.includes(r)) });
  });
  return slots.toArray();
}

/**
 * Changes permissions (base rights, ACL entries, and owner or group) of entries, links followed. Needs
 * the `permission` right; giving an entry to another owner needs an admin; changing its group needs its
 * owner (into a group the owner is in) or an admin. Rows are locked while the change is computed, so
 * two concurrent changes never lose one another. Every change is audited.
 */
export async function setPermissions(ctx: CatalogContext, items: readonly SetPermissionItem[]): Promise<Result<Permission>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => ({ lfn: parseLfn(item.lfn), change: parseChange(item.permission, item.mode ?? 'replace') }));
  const results = await changePermissions(ctx, parsed, 'set-permission');
  return results.map((r) => (r.ok ? ok(r.value.permission) : r));
}

/** Changes owner and/or group (chown, chgrp); the rules of `setPermissions` apply. */
export async function changeOwners(ctx: CatalogContext, items: readonly ChownItem[]): Promise<Result<Entry>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => {
    if (item.owner === undefined && item.group === undefined) throw new InvalidArgument('give owner, group or both');
    return { lfn: parseLfn(item.lfn), change: parseChange({ ...(item.owner !== undefined ? { owner: item.owner } : {}), ...(item.group !== undefined ? { group: item.group } : {}) }, 'replace') };
  });
  return changePermissions(ctx, parsed, 'chown');
}

interface Change {
  readonly mode: PermissionMode;
  readonly owner?: string;
  readonly group?: string;
  readonly base?: Partial<Record<keyof BaseRights, number>>;
  readonly acl?: readonly AclEntry[];
}

function parseChange(input: PermissionInput, mode: PermissionMode): Change {
  if (mode !== 'replace' && mode !== 'add' && mode !== 'remove') throw new InvalidArgument(`unknown mode ${JSON.stringify(mode)}`);
  if (typeof input !== 'object' || input === null) throw new InvalidArgument('permission must be an object');
  const base: Partial<Record<keyof BaseRights, number>> = {};
  for (const who of ['owner', 'group', 'other'] as const) {
    const rights = input.base?.[who];
    if (rights !== undefined) base[who] = maskOf(rights, `base.${who}`);
  }
  const acl = input.acl?.map((e) => {
    if (e.kind !== 'user' && e.kind !== 'group') throw new InvalidArgument('an ACL entry kind is user or group');
    return {
      principal: checkPrincipal(e.principal, e.kind),
      kind: e.kind,
      allow: maskOf(e.allow ?? [], 'allow'),
      deny: maskOf(e.deny ?? [], 'deny'),
      inherit: e.inherit === true,
    };
  });
  if (acl !== undefined && acl.length > MAX_ACL_ENTRIES) throw new InvalidArgument(`at most ${MAX_ACL_ENTRIES} ACL entries per entry`);
  if ((input.owner !== undefined || input.group !== undefined) && mode !== 'replace') {
    throw new InvalidArgument('owner and group can only be replaced');
  }
  const owner = input.owner === undefined ? undefined : checkPrincipal(input.owner, 'user');
  const group = input.group === undefined ? undefined : input.group === '' ? '' : checkPrincipal(input.group, 'group');
  return {
    mode,
    ...(owner !== undefined ? { owner } : {}),
    ...(group !== undefined ? { group } : {}),
    ...(Object.keys(base).length > 0 ? { base } : {}),
    ...(acl !== undefined ? { acl } : {}),
  };
}

function apply(current: Permission, change: Change): Permission {
  const base = { ...current.base };
  for (const who of ['owner', 'group', 'other'] as const) {
    const mask = change.base?.[who];
    if (mask === undefined) continue;
    base[who] = change.mode === 'replace' ? mask : change.mode === 'add' ? base[who] | mask : base[who] & ~mask;
  }
  let acl = current.acl;
  if (change.acl !== undefined) {
    const key = (e: AclEntry) => `${e.kind}\u0000${e.principal}`;
    const named = new Set(change.acl.map(key));
    switch (change.mode) {
      case 'replace':
        acl = change.acl;
        break;
      case 'add':
        acl = [...current.acl.filter((e) => !named.has(key(e))), ...change.acl];
        break;
      case 'remove':
        acl = current.acl.filter((e) => !named.has(key(e)));
        break;
    }
  }
  if (acl.length > MAX_ACL_ENTRIES) throw new InvalidArgument(`at most ${MAX_ACL_ENTRIES} ACL entries per entry`);
  return { owner: change.owner ?? current.owner, group: change.group ?? current.group, base, acl };
}

async function changePermissions(
  ctx: CatalogContext,
  parsed: readonly ({ lfn: Lfn; change: Change } | CatalogError)[],
  action: string,
): Promise<Result<Entry>[]> {
  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<Entry>(parsed.length);
    const access = new Access(ctx);
    const live = parsed.flatMap((p, index) => (p instanceof CatalogError ? (slots.fail(index, p), []) : [{ index, ...p }]));
    const resolved = await resolvePaths(trx, live.map((l) => l.lfn), true, access);
    const ids = resolved.flatMap((r) => (r.ok ? [r.value.id] : []));
    // Lock, then decide on the rows as they are now: a concurrent change waits instead of being lost.
    const locked =
      ids.length === 0
        ? new Map<string, Entry>()
        : new Map(
            (await trx.selectFrom('entries').selectAll().where('id', '=', anyUuid(ids)).orderBy('id').forUpdate().execute()).map((row) => [
              row.id,
              toEntry(row),
            ]),
          );
    const updates = new Map<string, Permission>();
    live.forEach((l, k) => {
      const result = resolved[k]!;
      if (!result.ok) return slots.fail(l.index, result.error);
      const entry = locked.get(result.value.id);
      if (entry === undefined) return slots.fail(l.index, new NotExists(`no such entry: ${l.lfn} (removed concurrently)`));
      const current = updates.get(entry.id) ?? entry.permission;
      const refused = refusal(ctx, access, entry, current, l.change, action);
      if (refused) return slots.fail(l.index, refused);
      try {
        const next = apply(current, l.change);
        updates.set(entry.id, next);
        slots.succeed(l.index, { ...entry, owner: next.owner, group: next.group, permission: next });
      } catch (error) {
        if (!(error instanceof CatalogError)) throw error;
        slots.fail(l.index, error);
      }
    });
    if (updates.size > 0) {
      const json = JSON.stringify(
        [...updates].map(([id, p]) => ({
          id,
          owner_dn: p.owner,
          group_name: p.group,
          perm_owner: p.base.owner,
          perm_group: p.base.group,
          perm_other: p.base.other,
          acl: toStoredAcl(p.acl),
        })),
      );
      await sql`
        UPDATE entries e SET owner_dn = u.owner_dn, group_name = u.group_name, perm_owner = u.perm_owner,
          perm_group = u.perm_group, perm_other = u.perm_other, acl = u.acl, mtime = now()
        FROM json_to_recordset(${json}::json) AS u(id uuid, owner_dn text, group_name text, perm_owner int2,
          perm_group int2, perm_other int2, acl jsonb)
        WHERE e.id = u.id`.execute(trx);
      for (const [id, p] of updates) {
        const entry = locked.get(id)!;
        ctx.audit?.({ action, actor: ctx.identity.dn, lfn: entry.lfn, detail: JSON.stringify(describe(p)) });
      }
    }
    return slots.toArray();
  });
}

function refusal(ctx: CatalogContext, access: Access, entry: Entry, current: Permission, change: Change, action: string): CatalogError | null {
  const identity = ctx.identity;
  const touchesRights = change.base !== undefined || change.acl !== undefined;
  if (touchesRights) {
    const denied = access.deny({ ...entry, permission: current }, 'permission', action);
    if (denied) return denied;
  }
  if (!access.enforced || identity.admin === true) {
    if (identity.admin === true && (change.owner !== undefined || change.group !== undefined)) {
      ctx.audit?.({ action: `admin:${action}`, actor: identity.dn, lfn: entry.lfn, detail: `owner=${change.owner ?? '-'} group=${change.group ?? '-'}` });
    }
    return null;
  }
  if (change.owner !== undefined && change.owner !== current.owner) {
    return new PermissionDenied(`permission denied: only an administrator gives ${entry.lfn} to another owner`);
  }
  if (change.group !== undefined && change.group !== current.group) {
    if (identity.dn !== current.owner) return new PermissionDenied(`permission denied: only the owner changes the group of ${entry.lfn}`);
    if (change.group !== '' && identity.group !== change.group && !identity.groups.includes(change.group)) {
      return new PermissionDenied(`permission denied: you are not in group ${change.group}`);
    }
  }
  return null;
}

/** A permission with rights by name, as faces show it. */
export function describe(p: Permission) {
  return {
    owner: p.owner,
    group: p.group,
    base: { owner: rightsOf(p.base.owner), group: rightsOf(p.base.group), other: rightsOf(p.base.other) },
    acl: p.acl.map((e) => ({ principal: e.principal, kind: e.kind, allow: rightsOf(e.allow), deny: rightsOf(e.deny), inherit: e.inherit })),
  };
}
