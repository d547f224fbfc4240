import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { CatalogContext } from '../context';
import { ancestorPathsInSql } from '../names/lfn-in-sql';
import { holdsRight } from './rights-in-sql';

/**
 * A condition on the `entries` row aliased `alias` that holds when the caller may traverse (`execute`)
 * every directory above it, evaluated in the database as `Access.blockedOnWay` does in core, so that a
 * set-based read filters before its LIMIT and never reads past a row the caller may not reach. One probe
 * of the LFN index per ancestor. Undefined (no condition) for administrators and when checks are disabled.
 *
 * ```ts
 * const reachable = traversableInSql(ctx, 'e'); // NOT EXISTS (an ancestor of e without execute)
 * ```
 */
export function traversableInSql(ctx: CatalogContext, alias: string): RawBuilder<SqlBool> | undefined {
  const mayTraverse = holdsRight(ctx, 'execute', 'up');
  if (mayTraverse === undefined) return undefined;
  const ancestors = ancestorPathsInSql(sql.ref(`${alias}.lfn`), { self: false });
  return sql<SqlBool>`NOT EXISTS (SELECT 1 FROM entries up WHERE up.lfn = ANY (${ancestors}) AND NOT (${mayTraverse}))`;
}
