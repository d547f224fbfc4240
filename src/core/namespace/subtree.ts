import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema';
import type { Lfn } from '../names/lfn';

/**
 * Rows strictly below `lfn`, as an index range on the C-collated LFN: every descendant starts with
 * `lfn/`, and '0' is the byte after '/', so [`lfn/`, `lfn0`) is exactly the subtree.
 */
export function below(eb: ExpressionBuilder<Database, 'entries'>, lfn: Lfn): Expression<SqlBool> {
  return eb.and([eb('lfn', '>=', sql<string>`${`${lfn}/`}`), eb('lfn', '<', sql<string>`${`${lfn}0`}`)]);
}
