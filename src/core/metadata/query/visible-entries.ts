import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { holdsRight } from '../../access/rights-in-sql';
import { traversableInSql } from '../../access/traversal-in-sql';
import type { CatalogContext } from '../../context';

/**
 * A condition on the row `e` of `entries` that holds when a query may show the entry to the caller: every
 * directory above it traversable, and `read` and `getMetadata` on it (a query reads its metadata, as
 * `attributes/get` does). Pages, counts and streams all AND it into their filter before any LIMIT, so
 * they never show, count or page past an entry the caller may not see. Undefined (no condition) for
 * administrators and when checks are disabled.
 */
export function visibleEntries(ctx: CatalogContext): RawBuilder<SqlBool> | undefined {
  const readable = holdsRight(ctx, ['read', 'getMetadata'], 'e');
  const reachable = traversableInSql(ctx, 'e');
  if (readable === undefined || reachable === undefined) return undefined;
  return sql<SqlBool>`${readable} AND ${reachable}`;
}

/**
 * With `inherit`, the condition on the row `x` of `entries` a value may be inherited from: the caller's
 * `getMetadata` on it. A value the caller may not read is passed over, as if that directory had none.
 */
export function inheritableValues(ctx: CatalogContext): RawBuilder<SqlBool> | undefined {
  return holdsRight(ctx, 'getMetadata', 'x');
}
