/**
 * The query language's syntax tree, as the parser builds it: names and literals as written, each node
 * with `at`, its offset in the query text (UTF-16 units; errors turn it into a column).
 */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export const COMPARE_OPS: readonly CompareOp[] = ['=', '!=', '<', '<=', '>', '>='];

export type Literal =
  | { readonly kind: 'string'; readonly value: string; readonly at: number }
  | { readonly kind: 'number'; readonly value: number; readonly integer: boolean; readonly at: number }
  | { readonly kind: 'bool'; readonly value: boolean; readonly at: number }
  /** `TIMESTAMP '2024-05-01T00:00:00Z'`: the text, checked by the type checker. */
  | { readonly kind: 'timestamp'; readonly value: string; readonly at: number };

export interface AttributeRef {
  readonly name: string;
  readonly at: number;
}

export type Expr =
  | { readonly kind: 'and'; readonly operands: readonly Expr[]; readonly at: number }
  | { readonly kind: 'or'; readonly operands: readonly Expr[]; readonly at: number }
  | { readonly kind: 'not'; readonly operand: Expr; readonly at: number }
  | { readonly kind: 'compare'; readonly attribute: AttributeRef; readonly op: CompareOp; readonly value: Literal; readonly at: number }
  | { readonly kind: 'like'; readonly attribute: AttributeRef; readonly pattern: Literal & { kind: 'string' }; readonly at: number }
  | { readonly kind: 'in'; readonly attribute: AttributeRef; readonly values: readonly Literal[]; readonly at: number }
  | { readonly kind: 'exists'; readonly attribute: AttributeRef; readonly at: number };

/** Every attribute name a query mentions, for one look-up of their definitions. */
export function attributeNames(expr: Expr): string[] {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return expr.operands.flatMap(attributeNames);
    case 'not':
      return attributeNames(expr.operand);
    case 'compare':
    case 'like':
    case 'in':
    case 'exists':
      return [expr.attribute.name];
  }
}
