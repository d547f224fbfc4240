import type { AttributeRef, Expr, Literal } from './ast';
import { tokenize, type Keyword, type Token } from './lexer';
import { columnOf, QueryError } from './query-error';

/** Parentheses and NOTs nested deeper than this are refused (the parser recurses on them). */
export const MAX_NESTING = 64;
/** Values in one IN list. */
export const MAX_IN_VALUES = 1000;

/**
 * Parses a metadata query into its syntax tree, by recursive descent over this grammar
 * (keywords case-insensitive; AND binds tighter than OR, NOT tighter than AND):
 *
 * ```text
 * query      = or END
 * or         = and { OR and }
 * and        = unary { AND unary }
 * unary      = NOT unary | primary
 * primary    = "(" or ")" | EXISTS name | name predicate
 * predicate  = op literal | [NOT] LIKE string | [NOT] IN "(" literal { "," literal } ")"
 * op         = "=" | "!=" | "<>" | "<" | "<=" | ">" | ">="
 * literal    = string | number | TRUE | FALSE | TIMESTAMP string
 * name       = bare-name | "quoted name"
 * ```
 *
 * ```ts
 * parseQuery("run > 1000 AND detector = 'tpc'")
 * // { kind: 'and', operands: [{ kind: 'compare', op: '>', ... }, { kind: 'compare', op: '=', ... }] }
 * ```
 */
export function parseQuery(source: string): Expr {
  return new Parser(source).parse();
}

class Parser {
  readonly #source: string;
  readonly #tokens: Token[];
  #position = 0;
  #depth = 0;

  constructor(source: string) {
    this.#source = source;
    this.#tokens = tokenize(source);
  }

  parse(): Expr {
    if (this.#peek().kind === 'end') throw this.#error(this.#peek(), 'the query is empty');
    const expr = this.#or();
    const next = this.#peek();
    if (next.kind !== 'end') {
      throw this.#error(next, `expected AND, OR or the end of the query, found ${describe(next)}`);
    }
    return expr;
  }

  #or(): Expr {
    const first = this.#and();
    const operands = [first];
    while (this.#acceptKeyword('OR')) operands.push(this.#and());
    return operands.length === 1 ? first : { kind: 'or', operands, at: first.at };
  }

  #and(): Expr {
    const first = this.#unary();
    const operands = [first];
    while (this.#acceptKeyword('AND')) operands.push(this.#unary());
    return operands.length === 1 ? first : { kind: 'and', operands, at: first.at };
  }

  #unary(): Expr {
    const token = this.#peek();
    if (token.kind === 'keyword' && token.keyword === 'NOT') {
      this.#next();
      return this.#nested(token, () => ({ kind: 'not', operand: this.#unary(), at: token.at }));
    }
    return this.#primary();
  }

  #primary(): Expr {
    const token = this.#peek();
    if (token.kind === '(') {
      this.#next();
      const inner = this.#nested(token, () => this.#or());
      this.#expect(')', `expected ")" to close the "(" at column ${columnOf(this.#source, token.at)}`);
      return inner;
    }
    if (token.kind === 'keyword' && token.keyword === 'EXISTS') {
      this.#next();
      return { kind: 'exists', attribute: this.#name(), at: token.at };
    }
    const attribute = this.#name();
    return this.#predicate(attribute);
  }

  #predicate(attribute: AttributeRef): Expr {
    const token = this.#next();
    if (token.kind === 'op') return { kind: 'compare', attribute, op: token.op, value: this.#literal(), at: attribute.at };
    if (token.kind === 'keyword') {
      let keyword = token;
      const negated = keyword.keyword === 'NOT';
      if (negated) {
        const after = this.#next();
        if (after.kind !== 'keyword' || (after.keyword !== 'LIKE' && after.keyword !== 'IN')) {
          throw this.#error(after, `expected LIKE or IN after NOT, found ${describe(after)}`);
        }
        keyword = after;
      }
      let expr: Expr | undefined;
      if (keyword.keyword === 'LIKE') {
        const pattern = this.#next();
        if (pattern.kind !== 'string') throw this.#error(pattern, `LIKE needs a pattern in single quotes, found ${describe(pattern)}`);
        expr = { kind: 'like', attribute, pattern: { kind: 'string', value: pattern.value, at: pattern.at }, at: attribute.at };
      } else if (keyword.keyword === 'IN') {
        expr = { kind: 'in', attribute, values: this.#list(), at: attribute.at };
      }
      if (expr !== undefined) return negated ? { kind: 'not', operand: expr, at: token.at } : expr;
    }
    throw this.#error(token, `expected a comparison (= != < <= > >=), LIKE or IN after ${JSON.stringify(attribute.name)}, found ${describe(token)}`);
  }

  #list(): Literal[] {
    this.#expect('(', 'expected "(" to start the IN list');
    const values = [this.#literal()];
    while (this.#peek().kind === ',') {
      this.#next();
      values.push(this.#literal());
      if (values.length > MAX_IN_VALUES) throw this.#error(this.#peek(), `more than ${MAX_IN_VALUES} values in one IN list`);
    }
    this.#expect(')', 'expected "," or ")" in the IN list');
    return values;
  }

  #literal(): Literal {
    const token = this.#next();
    switch (token.kind) {
      case 'string':
        return { kind: 'string', value: token.value, at: token.at };
      case 'number':
        return { kind: 'number', value: token.value, integer: token.integer, at: token.at };
      case 'keyword':
        if (token.keyword === 'TRUE' || token.keyword === 'FALSE') return { kind: 'bool', value: token.keyword === 'TRUE', at: token.at };
        if (token.keyword === 'TIMESTAMP') {
          const text = this.#next();
          if (text.kind !== 'string') throw this.#error(text, `TIMESTAMP needs a quoted RFC 3339 time, found ${describe(text)}`);
          return { kind: 'timestamp', value: text.value, at: token.at };
        }
        break;
      case 'name':
        if (!token.quoted) {
          throw this.#error(token, `expected a value, found the name ${JSON.stringify(token.name)} (strings go in single quotes)`);
        }
        throw this.#error(token, `expected a value, found the quoted name ${JSON.stringify(token.name)} (strings go in single quotes, names in double quotes)`);
      case 'op':
      case '(':
      case ')':
      case ',':
      case 'end':
        break;
    }
    throw this.#error(token, `expected a value (a 'string', a number, TRUE, FALSE or TIMESTAMP '…'), found ${describe(token)}`);
  }

  #name(): AttributeRef {
    const token = this.#next();
    if (token.kind === 'name') return { name: token.name, at: token.at };
    if (token.kind === 'keyword') {
      throw this.#error(token, `expected an attribute name, found the keyword ${token.keyword} (write a name that is a keyword in double quotes)`);
    }
    throw this.#error(token, `expected an attribute name, found ${describe(token)}`);
  }

  #nested<T>(token: Token, parse: () => T): T {
    this.#depth += 1;
    if (this.#depth > MAX_NESTING) throw this.#error(token, `parentheses and NOTs are nested more than ${MAX_NESTING} deep`);
    try {
      return parse();
    } finally {
      this.#depth -= 1;
    }
  }

  #acceptKeyword(keyword: Keyword): boolean {
    const token = this.#peek();
    if (token.kind === 'keyword' && token.keyword === keyword) {
      this.#next();
      return true;
    }
    return false;
  }

  #expect(kind: '(' | ')', problem: string): void {
    const token = this.#next();
    if (token.kind !== kind) throw this.#error(token, `${problem}, found ${describe(token)}`);
  }

  #peek(): Token {
    return this.#tokens[this.#position]!;
  }

  #next(): Token {
    const token = this.#tokens[this.#position]!;
    if (token.kind !== 'end') this.#position += 1;
    return token;
  }

  #error(token: Token, problem: string): QueryError {
    return new QueryError(this.#source, token.at, problem);
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'name':
      return token.quoted ? `the quoted name ${JSON.stringify(token.name)}` : `${JSON.stringify(token.name)}`;
    case 'keyword':
      return token.keyword;
    case 'string':
      return `the string '${token.value.length > 40 ? `${token.value.slice(0, 40)}…` : token.value}'`;
    case 'number':
      return token.text;
    case 'op':
      return `"${token.op}"`;
    case '(':
    case ')':
    case ',':
      return `"${token.kind}"`;
    case 'end':
      return 'the end of the query';
  }
}
