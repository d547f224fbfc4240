import type { AttributeDefinition } from '../attribute-definitions';
import { parseTimestamp, STRING_VALUE_MAX_BYTES, type TypedValue } from '../attribute-value';
import type { AttributeRef, Expr, Literal } from './ast';
import type { CheckedQuery } from './checked-query';
import { QueryError } from './query-error';

/**
 * Checks a parsed query against the attribute definitions: every name must exist, every literal must
 * fit its attribute's type (an int attribute takes integers; a float takes any number; a timestamp
 * takes `TIMESTAMP '…'` or a string in RFC 3339), `<`/`>` need an ordered type (not bool), LIKE needs a
 * string attribute. Errors name the column of the offending name or literal.
 */
export function typeCheck(source: string, expr: Expr, attributes: ReadonlyMap<string, AttributeDefinition>): CheckedQuery {
  const fail = (at: number, problem: string): never => {
    throw new QueryError(source, at, problem);
  };
  const resolve = (ref: AttributeRef): AttributeDefinition =>
    attributes.get(ref.name) ?? fail(ref.at, `no such attribute: ${JSON.stringify(ref.name)}`);

  const literal = (attribute: AttributeDefinition, value: Literal): TypedValue => {
    const wrong = (): never =>
      fail(value.at, `${JSON.stringify(attribute.name)} is a${attribute.type === 'int' ? 'n' : ''} ${attribute.type} attribute; ${describe(value)} is not a${attribute.type === 'int' ? 'n' : ''} ${attribute.type}`);
    switch (attribute.type) {
      case 'string':
        if (value.kind !== 'string') return wrong();
        if (Buffer.byteLength(value.value, 'utf8') > STRING_VALUE_MAX_BYTES) return fail(value.at, `strings are at most ${STRING_VALUE_MAX_BYTES} bytes`);
        return { type: 'string', value: value.value };
      case 'int':
        if (value.kind !== 'number' || !value.integer) return wrong();
        return { type: 'int', value: value.value };
      case 'float':
        if (value.kind !== 'number') return wrong();
        return { type: 'float', value: value.value };
      case 'bool':
        if (value.kind !== 'bool') return wrong();
        return { type: 'bool', value: value.value };
      case 'timestamp': {
        if (value.kind !== 'timestamp' && value.kind !== 'string') return wrong();
        const instant = parseTimestamp(value.value);
        if (instant === undefined) return fail(value.at, `${JSON.stringify(value.value)} is not an RFC 3339 time (e.g. 2024-05-01T12:00:00Z) or a date`);
        return { type: 'timestamp', value: instant };
      }
    }
  };

  const check = (node: Expr): CheckedQuery => {
    switch (node.kind) {
      case 'and':
      case 'or':
        return { kind: node.kind, operands: node.operands.map(check) };
      case 'not':
        return { kind: 'not', operand: check(node.operand) };
      case 'compare': {
        const attribute = resolve(node.attribute);
        if (attribute.type === 'bool' && node.op !== '=' && node.op !== '!=') {
          return fail(node.attribute.at, `${JSON.stringify(attribute.name)} is a bool attribute: only = and != apply`);
        }
        return { kind: 'compare', attribute, op: node.op, value: literal(attribute, node.value) };
      }
      case 'like': {
        const attribute = resolve(node.attribute);
        if (attribute.type !== 'string') return fail(node.attribute.at, `LIKE needs a string attribute; ${JSON.stringify(attribute.name)} is ${attribute.type}`);
        const prefix = likePrefix(node.pattern.value);
        if (prefix === undefined) return fail(node.pattern.at, 'a LIKE pattern cannot end with a lone backslash (write \\\\ for a backslash)');
        return { kind: 'like', attribute, pattern: node.pattern.value, prefix };
      }
      case 'in': {
        const attribute = resolve(node.attribute);
        return { kind: 'in', attribute, values: node.values.map((v) => literal(attribute, v)) };
      }
      case 'exists':
        return { kind: 'exists', attribute: resolve(node.attribute) };
    }
  };
  return check(expr);
}

/**
 * The literal text a LIKE pattern starts with (before its first unescaped `%` or `_`; a backslash makes
 * the next character literal), or undefined when the pattern ends in a lone backslash.
 */
export function likePrefix(pattern: string): string | undefined {
  let prefix = '';
  let literal = true;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      if (i + 1 >= pattern.length) return undefined;
      i += 1;
      if (literal) prefix += pattern[i]!;
    } else if (c === '%' || c === '_') literal = false;
    else if (literal) prefix += c;
  }
  return prefix;
}

function describe(value: Literal): string {
  switch (value.kind) {
    case 'string':
      return `the string '${value.value.length > 40 ? `${value.value.slice(0, 40)}…` : value.value}'`;
    case 'number':
      return `the number ${value.value}`;
    case 'bool':
      return value.value ? 'TRUE' : 'FALSE';
    case 'timestamp':
      return `TIMESTAMP '${value.value}'`;
  }
}
