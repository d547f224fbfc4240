import type { RawBuilder, SqlBool } from 'kysely';
import type { CatalogContext } from '../../context';

/**
 * The seam for ACLs (identity issue): a condition on the row `e` of `entries` that holds for the entries
 * the caller may read; queries AND it into their filter, so they never return (or count) anything else.
 * Undefined means "everything" — which is the rule until ACLs land.
 */
export function visibleEntries(_ctx: CatalogContext): RawBuilder<SqlBool> | undefined {
  return undefined;
}
