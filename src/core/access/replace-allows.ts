import { inTransaction } from '../../db/transaction';
import { anyUuid } from '../../db/sql-helpers';
import { checkBulkSize, type CatalogContext } from '../context';
import { toEntry } from '../entry';
import { CatalogError } from '../errors';
import { parseLfn } from '../names/lfn';
import { resolvePaths } from '../namespace/resolve';
import { parseItems } from '../parse-items';
import type { Result } from '../result';
import { Access } from './access';
import type { AclEntry, Permission, PrincipalKind } from './permission';
import { setPermissions, type PermissionInput, type SetPermissionItem } from './permission-ops';
import { rightsOf } from './rights';

/**
 * A permission written by a face that can only express allow rights (Fireman's `Permission`): owner,
 * group, base rights and an ACL of allow entries. Absent parts are left as they are.
 */
export interface AllowPermissionItem {
  readonly lfn: string;
  readonly owner?: string;
  readonly group?: string;
  readonly base?: { readonly owner?: readonly string[]; readonly group?: readonly string[]; readonly other?: readonly string[] };
  /** The new list of allow entries; absent leaves the ACL unchanged. */
  readonly acl?: readonly { readonly principal: string; readonly kind: PrincipalKind; readonly allow: readonly string[] }[];
}

/**
 * Replaces permissions from a face without deny entries (Fireman): the given allow ACL replaces the
 * allow part of the entry's ACL, and the entry's **deny rights are kept** — a client that cannot see
 * them cannot mean to drop them. An entry that names a principal again keeps its deny and inherit
 * flags; a kept deny whose principal is no longer named stays as a deny-only entry. Everything else is
 * `setPermissions` in replace mode (its rules: `permission` right, owner changes by an admin, …).
 * The entries are read under lock in the caller's transaction, so a concurrent change is not lost.
 */
export async function replaceAllowPermissions(ctx: CatalogContext, items: readonly AllowPermissionItem[]): Promise<Result<Permission>[]> {
  checkBulkSize(ctx, items.length);
  return inTransaction(ctx.db, async (trx) => {
    const inner = { ...ctx, db: trx };
    const parsed = parseItems(items, (item) => parseLfn(item.lfn));
    const live = parsed.flatMap((p, index) => (p instanceof CatalogError ? [] : [{ index, lfn: p }]));
    const resolved = await resolvePaths(trx, live.map((l) => l.lfn), true, new Access(inner));
    const ids = resolved.flatMap((r) => (r.ok ? [r.value.id] : []));
    const rows = ids.length === 0 ? [] : await trx.selectFrom('entries').selectAll().where('id', '=', anyUuid(ids)).orderBy('id').forUpdate().execute();
    const current = new Map(rows.map((row) => [row.id, toEntry(row).permission]));
    const currentOf = new Map<number, Permission>();
    live.forEach((l, k) => {
      const r = resolved[k]!;
      const p = r.ok ? current.get(r.value.id) : undefined;
      if (p !== undefined) currentOf.set(l.index, p);
    });
    const changes: SetPermissionItem[] = items.map((item, index) => ({
      lfn: item.lfn,
      mode: 'replace',
      permission: toInput(item, currentOf.get(index)),
    }));
    // Items that failed to parse or resolve fail again, with the same error, inside setPermissions.
    return setPermissions(inner, changes);
  });
}

function toInput(item: AllowPermissionItem, current: Permission | undefined): PermissionInput {
  const input: { -readonly [K in keyof PermissionInput]: PermissionInput[K] } = {};
  if (item.owner !== undefined) input.owner = item.owner;
  if (item.group !== undefined) input.group = item.group;
  if (item.base !== undefined) input.base = item.base;
  if (item.acl !== undefined) input.acl = mergeDenies(item.acl, current?.acl ?? []);
  return input;
}

const keyOf = (e: { principal: string; kind: PrincipalKind }) => `${e.kind}\u0000${e.principal}`;

function mergeDenies(allows: NonNullable<AllowPermissionItem['acl']>, current: readonly AclEntry[]): NonNullable<PermissionInput['acl']> {
  const old = new Map(current.map((e) => [keyOf(e), e]));
  const named = new Set<string>();
  const out: NonNullable<PermissionInput['acl']>[number][] = allows.map((a) => {
    const before = old.get(keyOf(a));
    named.add(keyOf(a));
    return { principal: a.principal, kind: a.kind, allow: a.allow, deny: before ? rightsOf(before.deny) : [], inherit: before?.inherit === true };
  });
  for (const e of current) {
    if (e.deny !== 0 && !named.has(keyOf(e))) out.push({ principal: e.principal, kind: e.kind, allow: [], deny: rightsOf(e.deny), inherit: e.inherit });
  }
  return out;
}

/**
 * Whether a principal written without its kind (Fireman's ACLEntry has none) names a user or a group:
 * a certificate DN in the OpenSSL slash form (`/DC=org/CN=Jane`: its first component is `attr=value`)
 * is a user; anything else — a VOMS FQAN (`/atlas/Role=production`, whose first component is the VO),
 * a local group name — is a group.
 */
export function principalKindOf(principal: string): PrincipalKind {
  return /^\/[A-Za-z][A-Za-z0-9.-]*=[^/]/.test(principal) ? 'user' : 'group';
}
