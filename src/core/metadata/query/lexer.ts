import type { CompareOp } from './ast';
import { QueryError } from './query-error';

export type Keyword = 'AND' | 'OR' | 'NOT' | 'LIKE' | 'IN' | 'EXISTS' | 'TRUE' | 'FALSE' | 'TIMESTAMP';

const KEYWORDS: ReadonlySet<string> = new Set<Keyword>(['AND', 'OR', 'NOT', 'LIKE', 'IN', 'EXISTS', 'TRUE', 'FALSE', 'TIMESTAMP']);

export type Token =
  | { readonly kind: 'name'; readonly name: string; readonly quoted: boolean; readonly at: number }
  | { readonly kind: 'keyword'; readonly keyword: Keyword; readonly at: number }
  | { readonly kind: 'string'; readonly value: string; readonly at: number }
  | { readonly kind: 'number'; readonly value: number; readonly integer: boolean; readonly text: string; readonly at: number }
  | { readonly kind: 'op'; readonly op: CompareOp; readonly at: number }
  | { readonly kind: '(' | ')' | ','; readonly at: number }
  | { readonly kind: 'end'; readonly at: number };

/** Longest query text accepted; a query is a filter, not a data transfer. */
export const MAX_QUERY_LENGTH = 16_384;

const BARE_NAME_START = /[A-Za-z_]/;
const BARE_NAME_PART = /[A-Za-z0-9_.]/;
const DIGIT = /[0-9]/;
const NUMBER = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/;

/**
 * Splits a query into tokens. Keywords are case-insensitive; bare names are `[A-Za-z_][A-Za-z0-9_.]*`,
 * any other name is written in double quotes (`"run number"`, `""` for a quote inside). Strings are in
 * single quotes with `''` for a quote inside, and nothing else is special in them: a backslash is a
 * backslash (LIKE gives it a meaning of its own).
 */
export function tokenize(source: string): Token[] {
  if (source.length > MAX_QUERY_LENGTH) throw new QueryError(source, MAX_QUERY_LENGTH, `the query is longer than ${MAX_QUERY_LENGTH} characters`);
  if (!source.isWellFormed()) throw new QueryError(source, firstLoneSurrogate(source), 'the query is not valid Unicode');
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const at = i;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i += 1;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, at });
      i += 1;
    } else if (c === "'" || c === '"') {
      const { text, end } = readQuoted(source, i, c);
      tokens.push(c === "'" ? { kind: 'string', value: text, at } : { kind: 'name', name: text, quoted: true, at });
      i = end;
    } else if (DIGIT.test(c) || (c === '-' && DIGIT.test(source[i + 1] ?? ''))) {
      const text = NUMBER.exec(source.slice(i))![0];
      const integer = !/[.eE]/.test(text);
      const value = Number(text);
      if (integer && !Number.isSafeInteger(value)) throw new QueryError(source, at, `integer ${text} is out of range (at most ±(2^53 − 1))`);
      if (!Number.isFinite(value)) throw new QueryError(source, at, `number ${text} is out of range`);
      i += text.length;
      if (BARE_NAME_PART.test(source[i] ?? '')) throw new QueryError(source, i, `unexpected ${JSON.stringify(source[i])} after the number ${text}`);
      tokens.push({ kind: 'number', value, integer, text, at });
    } else if (BARE_NAME_START.test(c)) {
      let end = i + 1;
      while (end < source.length && BARE_NAME_PART.test(source[end]!)) end += 1;
      const word = source.slice(i, end);
      const upper = word.toUpperCase();
      tokens.push(KEYWORDS.has(upper) ? { kind: 'keyword', keyword: upper as Keyword, at } : { kind: 'name', name: word, quoted: false, at });
      i = end;
    } else {
      const op = readOperator(source, i);
      if (op === undefined) throw new QueryError(source, at, `unexpected character ${JSON.stringify(String.fromCodePoint(source.codePointAt(i)!))}`);
      tokens.push({ kind: 'op', op: op.op, at });
      i += op.length;
    }
  }
  tokens.push({ kind: 'end', at: source.length });
  return tokens;
}

function readQuoted(source: string, start: number, quote: "'" | '"'): { text: string; end: number } {
  let text = '';
  let i = start + 1;
  for (;;) {
    const next = source.indexOf(quote, i);
    if (next < 0) throw new QueryError(source, start, quote === "'" ? 'unterminated string' : 'unterminated quoted name');
    text += source.slice(i, next);
    if (source[next + 1] === quote) {
      text += quote;
      i = next + 2;
    } else {
      const nul = text.indexOf('\u0000');
      if (nul >= 0) throw new QueryError(source, start, 'a NUL character cannot appear in a string or name');
      return { text, end: next + 1 };
    }
  }
}

function readOperator(source: string, i: number): { op: CompareOp; length: number } | undefined {
  const two = source.slice(i, i + 2);
  if (two === '<=' || two === '>=' || two === '!=') return { op: two, length: 2 };
  if (two === '<>') return { op: '!=', length: 2 };
  const one = source[i];
  if (one === '=' || one === '<' || one === '>') return { op: one, length: 1 };
  return undefined;
}

function firstLoneSurrogate(source: string): number {
  for (let i = 0; i < source.length; i++) {
    const code = source.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < source.length && /[\udc00-\udfff]/.test(source[i + 1]!)) i += 1;
    else if (code >= 0xd800 && code <= 0xdfff) return i;
  }
  return 0;
}
