import type { RawBuilder, SqlBool } from 'kysely';
import { holdsRight } from '../../access/rights-in-sql';
import type { CatalogContext } from '../../context';

/**
 * A condition on the row `e` of `entries` that holds when the caller holds `read` on it, evaluated in the
 * database exactly as `grantedRights` does in core/access/evaluate.ts, so a query never returns or counts
 * an entry the caller may not read. Directories on the way are checked on the rows read (see
 * query-entries.ts). Undefined (no condition) for administrators and when checks are disabled.
 */
export function visibleEntries(ctx: CatalogContext): RawBuilder<SqlBool> | undefined {
  return holdsRight(ctx, 'read', 'e');
}
