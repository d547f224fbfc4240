import type { Expr } from './ast';
import { QueryError } from './query-error';

/** Comparisons, LIKEs, INs and EXISTS in one query (an IN list is one, whatever its length). */
export const MAX_LEAVES = 256;
/** Leaves of one query with `inherit`: each positive one adds an index lookup and its subtrees to the candidates. */
export const MAX_INHERITED_LEAVES = 128;
/** Different attributes in one query: with `inherit`, or without an index to start from, each is one lookup per entry tested. */
export const MAX_ATTRIBUTES = 16;
/**
 * Entries in scope (the catalog, or `under`) a query no index can start from (made of negations, such as
 * `NOT run = 1`) may have to test one by one.
 */
export const MAX_SCANNED_ENTRIES = 10_000;

/**
 * Refuses a query whose compiled statement would cost more than the limits above allow, naming the limit
 * and the column of the first leaf beyond it. The statement's cost grows linearly with the leaves and
 * attributes checked here (docs/query.md, "Limits").
 */
export function checkQueryLimits(source: string, expr: Expr, options: { readonly inherit: boolean }): void {
  const leaves = leavesOf(expr);
  const maxLeaves = options.inherit ? MAX_INHERITED_LEAVES : MAX_LEAVES;
  const beyond = leaves[maxLeaves];
  if (beyond !== undefined) {
    const what = options.inherit ? ' with inherit' : '';
    throw new QueryError(source, beyond.at, `more than ${maxLeaves} comparisons in one query${what} (this one has ${leaves.length})`);
  }
  const seen = new Set<string>();
  for (const leaf of leaves) {
    seen.add(leaf.attribute.name);
    if (seen.size > MAX_ATTRIBUTES) {
      throw new QueryError(source, leaf.at, `more than ${MAX_ATTRIBUTES} different attributes in one query`);
    }
  }
}

type Leaf = Extract<Expr, { attribute: unknown }>;

function leavesOf(expr: Expr): Leaf[] {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return expr.operands.flatMap(leavesOf);
    case 'not':
      return leavesOf(expr.operand);
    case 'compare':
    case 'like':
    case 'in':
    case 'exists':
      return [expr];
  }
}
