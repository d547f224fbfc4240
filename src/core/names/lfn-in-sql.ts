import { sql, type RawBuilder } from 'kysely';

/**
 * The ancestors of an LFN given as an SQL text expression, as an array for `lfn = ANY (…)` (one probe each
 * on the LFN index): `/a/b` → `/`, `/a`, and `/a/b` itself when `self` is set. The SQL twin of
 * `ancestorsOf` in lfn.ts, for set-based reads that check or inherit along the path of every row.
 */
export function ancestorPathsInSql(lfn: RawBuilder<unknown>, options: { readonly self: boolean }): RawBuilder<unknown> {
  // string_to_array('/a/b', '/') is {'', a, b}: its first n parts joined are the n-th path from the root.
  const last = options.self ? sql`cardinality(string_to_array(${lfn}, '/'))` : sql`cardinality(string_to_array(${lfn}, '/')) - 1`;
  const paths = sql`ARRAY(SELECT CASE WHEN n = 1 THEN '/' ELSE array_to_string((string_to_array(${lfn}, '/'))[1:n], '/') END
    FROM generate_series(1, ${last}) AS n)`;
  // The root's own split is {'', ''}: it has no proper ancestor.
  return options.self ? paths : sql`CASE WHEN ${lfn} = '/' THEN ARRAY[]::text[] ELSE ${paths} END`;
}
