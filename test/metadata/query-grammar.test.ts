import type { Expr, Literal } from '../../src/core/metadata/query/ast';
import { tokenize } from '../../src/core/metadata/query/lexer';
import { MAX_NESTING, parseQuery } from '../../src/core/metadata/query/parser';
import { QueryError } from '../../src/core/metadata/query/query-error';
import { likePrefix } from '../../src/core/metadata/query/type-check';
import { successor } from '../../src/core/metadata/query/compile-query';

/** The tree without positions, in a compact form that reads like the query. */
type Shape =
  | { and: Shape[] }
  | { or: Shape[] }
  | { not: Shape }
  | [string, string, unknown]
  | ['LIKE', string, string]
  | ['IN', string, unknown[]]
  | ['EXISTS', string];

function literal(value: Literal): unknown {
  switch (value.kind) {
    case 'string':
      return value.value;
    case 'number':
      return value.integer ? value.value : { float: value.value };
    case 'bool':
      return value.value;
    case 'timestamp':
      return { timestamp: value.value };
  }
}

function shape(expr: Expr): Shape {
  switch (expr.kind) {
    case 'and':
      return { and: expr.operands.map(shape) };
    case 'or':
      return { or: expr.operands.map(shape) };
    case 'not':
      return { not: shape(expr.operand) };
    case 'compare':
      return [expr.attribute.name, expr.op, literal(expr.value)];
    case 'like':
      return ['LIKE', expr.attribute.name, expr.pattern.value];
    case 'in':
      return ['IN', expr.attribute.name, expr.values.map(literal)];
    case 'exists':
      return ['EXISTS', expr.attribute.name];
  }
}

const VALID: readonly [string, Shape][] = [
  ['run = 1000', ['run', '=', 1000]],
  ['run != 5', ['run', '!=', 5]],
  ['run <> 5', ['run', '!=', 5]],
  ['run < -3', ['run', '<', -3]],
  ['run <= 3', ['run', '<=', 3]],
  ['energy > 1.5', ['energy', '>', { float: 1.5 }]],
  ['energy >= 2e3', ['energy', '>=', { float: 2000 }]],
  ['energy >= -1.25E-2', ['energy', '>=', { float: -0.0125 }]],
  ["detector = 'tpc'", ['detector', '=', 'tpc']],
  ["detector = 'it''s'", ['detector', '=', "it's"]],
  ["detector = ''", ['detector', '=', '']],
  ["detector = 'é 世界 🎉'", ['detector', '=', 'é 世界 🎉']],
  ["detector = 'a\\nb'", ['detector', '=', 'a\\nb']],
  ['good = TRUE', ['good', '=', true]],
  ['good = false', ['good', '=', false]],
  ["taken > TIMESTAMP '2024-05-01T00:00:00Z'", ['taken', '>', { timestamp: '2024-05-01T00:00:00Z' }]],
  ["taken > '2024-05-01'", ['taken', '>', '2024-05-01']],
  ["detector LIKE 'tp%'", ['LIKE', 'detector', 'tp%']],
  ["detector like 't_c'", ['LIKE', 'detector', 't_c']],
  ["detector NOT LIKE 'tp%'", { not: ['LIKE', 'detector', 'tp%'] }],
  ['run IN (1, 2, 3)', ['IN', 'run', [1, 2, 3]]],
  ["detector in ('tpc')", ['IN', 'detector', ['tpc']]],
  ['run NOT IN (1, 2)', { not: ['IN', 'run', [1, 2]] }],
  ['EXISTS run', ['EXISTS', 'run']],
  ['exists "run number"', ['EXISTS', 'run number']],
  ['NOT EXISTS run', { not: ['EXISTS', 'run'] }],
  ['"and" = 1', ['and', '=', 1]],
  ['"say ""hi""" = 1', ['say "hi"', '=', 1]],
  ['calib.version = 2', ['calib.version', '=', 2]],
  ['_x1 = 2', ['_x1', '=', 2]],
  ['a = 1 AND b = 2', { and: [['a', '=', 1], ['b', '=', 2]] }],
  ['a = 1 AND b = 2 AND c = 3', { and: [['a', '=', 1], ['b', '=', 2], ['c', '=', 3]] }],
  ['a = 1 OR b = 2 AND c = 3', { or: [['a', '=', 1], { and: [['b', '=', 2], ['c', '=', 3]] }] }],
  ['(a = 1 OR b = 2) AND c = 3', { and: [{ or: [['a', '=', 1], ['b', '=', 2]] }, ['c', '=', 3]] }],
  ['NOT a = 1 AND b = 2', { and: [{ not: ['a', '=', 1] }, ['b', '=', 2]] }],
  ['NOT (a = 1 AND b = 2)', { not: { and: [['a', '=', 1], ['b', '=', 2]] } }],
  ['NOT NOT a = 1', { not: { not: ['a', '=', 1] } }],
  ['((a = 1))', ['a', '=', 1]],
  ['  a=1\n\tand\r\nb>=2  ', { and: [['a', '=', 1], ['b', '>=', 2]] }],
  ["run > 1000 AND detector = 'tpc' AND quality IN ('good', 'gold') OR NOT EXISTS flagged", {
    or: [{ and: [['run', '>', 1000], ['detector', '=', 'tpc'], ['IN', 'quality', ['good', 'gold']]] }, { not: ['EXISTS', 'flagged'] }],
  }],
  ["x = '; DROP TABLE entries; --'", ['x', '=', '; DROP TABLE entries; --']],
  ["x = '\\u0027 OR 1=1 --'", ['x', '=', "\\u0027 OR 1=1 --"]],
  ['x = 9007199254740991', ['x', '=', 9007199254740991]],
];

/** Query, column (1-based, in characters) and a fragment of the message. */
const INVALID: readonly [string, number, string][] = [
  ['', 1, 'empty'],
  ['   ', 4, 'empty'],
  ['run', 4, 'expected a comparison'],
  ['run =', 6, 'expected a value'],
  ['run = = 1', 7, 'expected a value'],
  ['= 1', 1, 'expected an attribute name'],
  ['run == 1', 6, 'expected a value'],
  ['run = 1 run = 2', 9, 'expected AND, OR or the end'],
  ['run = 1 AND', 12, 'expected an attribute name'],
  ['run = 1 OR OR b = 2', 12, 'keyword OR'],
  ['(run = 1', 9, 'expected ")" to close the "(" at column 1'],
  ['run = 1)', 8, 'expected AND, OR or the end'],
  ["run = 'abc", 7, 'unterminated string'],
  ['"run = 1', 1, 'unterminated quoted name'],
  ['run = abc', 7, 'found the name "abc"'],
  ['run = "abc"', 7, 'strings go in single quotes'],
  ['run IN ()', 9, 'expected a value'],
  ['run IN (1, 2', 13, 'expected "," or ")"'],
  ['run IN 1', 8, 'expected "("'],
  ['run LIKE 5', 10, 'LIKE needs a pattern'],
  ['run NOT = 5', 9, 'expected LIKE or IN after NOT'],
  ['EXISTS', 7, 'expected an attribute name'],
  ['EXISTS 5', 8, 'expected an attribute name'],
  ['AND = 1', 1, 'keyword AND'],
  ["x = 'a'; DROP TABLE entries", 8, 'unexpected character ";"'],
  ['x = 1 -- comment', 7, 'unexpected character "-"'],
  ['x = 1 /* c */', 7, 'unexpected character "/"'],
  ["é = 1", 1, 'unexpected character "é"'],
  ["🎉🎉 = 1", 1, 'unexpected character "🎉"'],
  ["x = '🎉' AND ? = 1", 13, 'unexpected character "?"'],
  ["U&'\\0027' = 1", 2, 'unexpected character "&"'],
  ['x = $1', 5, 'unexpected character "$"'],
  ['x = 12abc', 7, 'after the number 12'],
  ['x = 9007199254740992', 5, 'out of range'],
  ['x = 1e999', 5, 'out of range'],
  ["x = TIMESTAMP 5", 15, 'TIMESTAMP needs a quoted'],
  ["x = 'a\u0000b'", 5, 'NUL'],
];

describe('query grammar', () => {
  it.each(VALID)('parses %j', (query, expected) => {
    expect(shape(parseQuery(query))).toEqual(expected);
  });

  it.each(INVALID)('refuses %j at column %i', (query, column, fragment) => {
    let error: unknown;
    try {
      parseQuery(query);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QueryError);
    expect({ column: (error as QueryError).column, message: (error as QueryError).message }).toEqual({
      column,
      message: expect.stringContaining(fragment),
    });
    expect((error as QueryError).code).toBe('InvalidArgument');
    expect((error as QueryError).message).toMatch(new RegExp(`^invalid query at column ${column}: `));
  });

  it('records the offset of every node', () => {
    const expr = parseQuery("a = 1 AND NOT b LIKE 'x%'");
    expect(expr).toMatchObject({
      kind: 'and',
      at: 0,
      operands: [
        { kind: 'compare', at: 0, attribute: { at: 0 }, value: { at: 4 } },
        { kind: 'not', at: 10, operand: { kind: 'like', at: 14, pattern: { at: 21 } } },
      ],
    });
  });

  it('reads keywords in any case and names case-sensitively', () => {
    expect(shape(parseQuery('Run = 1 aNd RUN = 2'))).toEqual({ and: [['Run', '=', 1], ['RUN', '=', 2]] });
  });

  it('refuses nesting deeper than the limit instead of overflowing the stack', () => {
    const deep = `${'('.repeat(MAX_NESTING + 1)}a = 1${')'.repeat(MAX_NESTING + 1)}`;
    expect(() => parseQuery(deep)).toThrow(/nested more than/);
    const nots = `${'NOT '.repeat(1000)}a = 1`;
    expect(() => parseQuery(nots)).toThrow(/nested more than/);
    expect(() => parseQuery(`${'('.repeat(MAX_NESTING)}a = 1${')'.repeat(MAX_NESTING)}`)).not.toThrow();
  });

  it('refuses an over-long query and lone surrogates', () => {
    expect(() => parseQuery(`a = '${'x'.repeat(20_000)}'`)).toThrow(/longer than/);
    expect(() => parseQuery("a = '\ud800'")).toThrow(/at column 6: the query is not valid Unicode/);
  });

  it('counts columns in characters, not UTF-16 units', () => {
    expect(() => parseQuery("a = '🎉🎉' b")).toThrow(/at column 10:/);
  });

  it('tokenizes operators greedily', () => {
    expect(tokenize('a<=1').map((t) => t.kind)).toEqual(['name', 'op', 'number', 'end']);
  });
});

describe('LIKE prefixes', () => {
  it.each([
    ['abc%', 'abc'],
    ['abc', 'abc'],
    ['%abc', ''],
    ['a_c%', 'a'],
    ['50\\%%', '50%'],
    ['a\\\\b%', 'a\\b'],
    ['a\\_b', 'a_b'],
  ])('%j starts with %j', (pattern, prefix) => {
    expect(likePrefix(pattern)).toBe(prefix);
  });

  it('refuses a pattern ending in a lone backslash', () => {
    expect(likePrefix('abc\\')).toBeUndefined();
  });

  it('bounds a prefix range by incrementing the last character', () => {
    expect(successor('abc')).toBe('abd');
    expect(successor('a\u{10ffff}')).toBe('b');
    expect(successor('\u{10ffff}')).toBeUndefined();
    expect(successor('a\ud7ff')).toBe('a\ue000');
  });
});
