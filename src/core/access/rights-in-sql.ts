import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { CatalogContext } from '../context';
import { RIGHT_BIT, type Right } from './rights';

/**
 * A condition on the `entries` row aliased `alias` that holds when the caller holds `right` (every one of
 * them, when several are given) on it,
 * evaluated in the database exactly as `grantedRights` does in evaluate.ts (base rights as owner, group
 * member and anyone, plus ACL entries naming the caller or one of their groups, minus denials), for
 * set-based reads that must not ship every row to the service to decide. Undefined (no condition) for
 * administrators and when checks are disabled. Most entries have no ACL entries; for them the two ACL
 * subqueries are skipped (CASE evaluates lazily), sparing two subqueries per row.
 *
 * ```ts
 * const readable = holdsRight(ctx, 'read', 'e'); // sql`... e.perm_other ...`
 * ```
 */
export function holdsRight(ctx: CatalogContext, right: Right | readonly Right[], alias: string): RawBuilder<SqlBool> | undefined {
  if (ctx.authorization === 'disabled' || ctx.identity.admin === true) return undefined;
  const mask = (typeof right === 'string' ? [right] : right).reduce((bits, r) => bits | RIGHT_BIT[r], 0);
  const e = sql.ref(alias);
  const dn = ctx.identity.dn;
  const groups = [...new Set([ctx.identity.group, ...ctx.identity.groups].filter((g) => g !== ''))];
  const names = sql`((a->>'k') = 'user' AND (a->>'p') = ${dn}::text) OR ((a->>'k') = 'group' AND (a->>'p') = any(${groups}::text[]))`;
  return sql<SqlBool>`((
      ${e}.perm_other
      | CASE WHEN ${e}.owner_dn = ${dn}::text AND ${e}.owner_dn <> '' THEN ${e}.perm_owner ELSE 0 END
      | CASE WHEN ${e}.group_name <> '' AND ${e}.group_name = any(${groups}::text[]) THEN ${e}.perm_group ELSE 0 END
      | CASE WHEN ${e}.acl = '[]'::jsonb THEN 0 ELSE COALESCE((SELECT bit_or((a->>'a')::int) FROM jsonb_array_elements(${e}.acl) AS a WHERE ${names}), 0) END
    )
    & ~CASE WHEN ${e}.acl = '[]'::jsonb THEN 0 ELSE COALESCE((SELECT bit_or((a->>'d')::int) FROM jsonb_array_elements(${e}.acl) AS a WHERE ${names}), 0) END
    & ${mask}::int
  ) = ${mask}::int`;
}
