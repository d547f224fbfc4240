import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { CatalogContext } from '../context';
import { holdsRight } from './rights-in-sql';

/**
 * A condition on the `entries` row aliased `alias` that holds when the caller may traverse (`execute`)
 * every directory above it, from the root down to its parent, as `Access.blockedOnWay` decides in core,
 * so that a paged read can drop unreachable rows before its LIMIT and never hands out a position the
 * caller may not see. The directories are found by the prefixes of the row's LFN (one index probe each).
 * Undefined (no condition) for administrators and when checks are disabled.
 *
 * ```ts
 * query.where(reachable(ctx, 'entries')!) // ... NOT EXISTS (SELECT 1 FROM entries AS way ...)
 * ```
 */
export function reachable(ctx: CatalogContext, alias: string): RawBuilder<SqlBool> | undefined {
  const traversable = holdsRight(ctx, 'execute', 'way');
  if (traversable === undefined) return undefined;
  const lfn = sql.ref(`${alias}.lfn`);
  return sql<SqlBool>`NOT EXISTS (
    SELECT 1 FROM entries AS way
    WHERE way.lfn IN (
      SELECT CASE WHEN i = 1 THEN '/' ELSE array_to_string(parts[1:i], '/') END
      FROM (SELECT string_to_array(${lfn}, '/') AS parts) AS split, generate_series(1, cardinality(parts) - 1) AS i
    )
    AND NOT ${traversable}
  )`;
}
