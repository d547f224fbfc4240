import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { RIGHT_BIT } from '../../access/rights';
import type { CatalogContext } from '../../context';

/**
 * A condition on the row `e` of `entries` that holds when the caller holds `read` on it, evaluated in the
 * database exactly as `grantedRights` does in core/access/evaluate.ts (base rights as owner, group member
 * and anyone, plus ACL entries naming the caller or a group, minus denials), so a query never returns or
 * counts an entry the caller may not read. Directories on the way are checked on the rows read (see
 * query-entries.ts). Undefined (no condition) for administrators and when checks are disabled.
 */
export function visibleEntries(ctx: CatalogContext): RawBuilder<SqlBool> | undefined {
  if (ctx.authorization === 'disabled' || ctx.identity.admin === true) return undefined;
  const dn = ctx.identity.dn;
  const groups = [...new Set([ctx.identity.group, ...ctx.identity.groups].filter((g) => g !== ''))];
  const names = sql`((a->>'k') = 'user' AND (a->>'p') = ${dn}::text) OR ((a->>'k') = 'group' AND (a->>'p') = any(${groups}::text[]))`;
  return sql<SqlBool>`(
    (
      e.perm_other
      | CASE WHEN e.owner_dn = ${dn}::text AND e.owner_dn <> '' THEN e.perm_owner ELSE 0 END
      | CASE WHEN e.group_name <> '' AND e.group_name = any(${groups}::text[]) THEN e.perm_group ELSE 0 END
      | COALESCE((SELECT bit_or((a->>'a')::int) FROM jsonb_array_elements(e.acl) AS a WHERE ${names}), 0)
    )
    & ~COALESCE((SELECT bit_or((a->>'d')::int) FROM jsonb_array_elements(e.acl) AS a WHERE ${names}), 0)
    & ${RIGHT_BIT.read}::int
  ) <> 0`;
}
