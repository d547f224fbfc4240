import type { AttributeDefinition } from '../attribute-definitions';
import type { TypedValue } from '../attribute-value';
import type { CompareOp } from './ast';

/**
 * A query after type checking: every attribute resolved to its definition (its id is what SQL sees, never
 * its name) and every literal converted to a value of that attribute's type.
 */
export type CheckedQuery =
  | { readonly kind: 'and'; readonly operands: readonly CheckedQuery[] }
  | { readonly kind: 'or'; readonly operands: readonly CheckedQuery[] }
  | { readonly kind: 'not'; readonly operand: CheckedQuery }
  | { readonly kind: 'compare'; readonly attribute: AttributeDefinition; readonly op: CompareOp; readonly value: TypedValue }
  /** A string attribute against a LIKE pattern; `prefix` is its literal start, for an index range. */
  | { readonly kind: 'like'; readonly attribute: AttributeDefinition; readonly pattern: string; readonly prefix: string }
  | { readonly kind: 'in'; readonly attribute: AttributeDefinition; readonly values: readonly TypedValue[] }
  | { readonly kind: 'exists'; readonly attribute: AttributeDefinition };

/** The conditions on one attribute's value, the leaves of a query. */
export type CheckedAtom = Extract<CheckedQuery, { attribute: AttributeDefinition }>;
