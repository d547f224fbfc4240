import { InvalidArgument } from '../errors';
import { ALL_RIGHTS, RIGHT_BIT, type RightMask } from './rights';

export type PrincipalKind = 'user' | 'group';

/** One ordered ACL entry: whom it names, what it allows and denies, and whether new children inherit it. */
export interface AclEntry {
  readonly principal: string;
  readonly kind: PrincipalKind;
  readonly allow: RightMask;
  readonly deny: RightMask;
  readonly inherit: boolean;
}

/** Base rights for the owner, members of the entry's group, and everyone else. */
export interface BaseRights {
  readonly owner: RightMask;
  readonly group: RightMask;
  readonly other: RightMask;
}

/** Everything that decides access to one entry. */
export interface Permission {
  readonly owner: string;
  readonly group: string;
  readonly base: BaseRights;
  readonly acl: readonly AclEntry[];
}

/** Fireman's defaults for a new entry: owner everything, group read and list, others nothing. */
export const DEFAULT_BASE: BaseRights = { owner: ALL_RIGHTS, group: RIGHT_BIT.read | RIGHT_BIT.list, other: 0 };

export const MAX_ACL_ENTRIES = 256;

/** How an ACL is kept in the `acl` jsonb column: compact, and read back without trusting it blindly. */
interface StoredAclEntry {
  readonly p: string;
  readonly k: PrincipalKind;
  readonly a: number;
  readonly d: number;
  readonly i: boolean;
}

export function toStoredAcl(acl: readonly AclEntry[]): StoredAclEntry[] {
  return acl.map((e) => ({ p: e.principal, k: e.kind, a: e.allow, d: e.deny, i: e.inherit }));
}

/** Most entries have no ACL entries of their own; they all share this one empty list. */
const NO_ACL: readonly AclEntry[] = Object.freeze([]);

/** Distinct stored ACL texts remembered at most (then forgotten all at once). */
const REMEMBERED_ACLS = 64;
const parsedAcls = new Map<string, readonly AclEntry[]>();

/**
 * The ACL of a stored `acl` value: the column's JSON text (`acl::text`) or the value a driver parsed. Texts
 * are remembered: entries of one directory inherit the same ACL, so a bulk read of 10,000 files parses a
 * handful of texts, not 10,000; the lists handed out are frozen, so sharing one is safe.
 */
export function fromStoredAcl(value: unknown): readonly AclEntry[] {
  if (typeof value !== 'string') return parseStoredAcl(value);
  let acl = parsedAcls.get(value);
  if (acl === undefined) {
    acl = parseStoredAcl(JSON.parse(value) as unknown);
    if (parsedAcls.size >= REMEMBERED_ACLS) parsedAcls.clear();
    parsedAcls.set(value, acl);
  }
  return acl;
}

function parseStoredAcl(list: unknown): readonly AclEntry[] {
  if (!Array.isArray(list) || list.length === 0) return NO_ACL;
  const acl = list.flatMap((raw: unknown) => {
    if (typeof raw !== 'object' || raw === null) return [];
    const e = raw as Partial<StoredAclEntry>;
    if (typeof e.p !== 'string' || (e.k !== 'user' && e.k !== 'group')) return [];
    return [Object.freeze({ principal: e.p, kind: e.k, allow: mask(e.a), deny: mask(e.d), inherit: e.i === true })];
  });
  return Object.freeze(acl);
}

function mask(value: unknown): RightMask {
  return typeof value === 'number' && Number.isInteger(value) ? value & ALL_RIGHTS : 0;
}

export function checkPrincipal(principal: unknown, kind: PrincipalKind): string {
  if (typeof principal !== 'string' || principal.length === 0 || principal.length > 1024) {
    throw new InvalidArgument(`an ACL ${kind} must be a non-empty string of at most 1024 characters`);
  }
  if (/[\u0000-\u001f\u007f-\u009f]/u.test(principal) || !principal.isWellFormed()) {
    throw new InvalidArgument(`an ACL ${kind} contains control characters`);
  }
  return principal;
}
