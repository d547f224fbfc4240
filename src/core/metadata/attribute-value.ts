import type { AttributeType, MetadataValuesTable } from '../../db/schema';
import { Internal, InvalidArgument } from '../errors';

export type { AttributeType } from '../../db/schema';

export const ATTRIBUTE_TYPES: readonly AttributeType[] = ['string', 'int', 'float', 'bool', 'timestamp'];

/** A value of an attribute, typed. Timestamps are instants (millisecond precision). */
export type TypedValue =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'timestamp'; readonly value: Date };

export type AttributeValue = TypedValue['value'];

/**
 * Bytes of a string value: a b-tree index entry must fit in a third of a page (about 2.7 kB), and the
 * string indexes carry the value, so longer values could not be indexed at all.
 */
export const STRING_VALUE_MAX_BYTES = 1024;

// RFC 3339 with an explicit offset, or a plain date (midnight UTC): an instant, never a local time.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))?$/;

export function isAttributeType(value: unknown): value is AttributeType {
  return typeof value === 'string' && (ATTRIBUTE_TYPES as readonly string[]).includes(value);
}

/** Parses an RFC 3339 timestamp (or a date) to an instant; undefined when it is not one. */
export function parseTimestamp(text: string): Date | undefined {
  const match = TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = match;
  // Date.parse accepts 2024-02-31 and rolls it over; a calendar check refuses it.
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCFullYear() !== Number(y) || day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const instant = new Date(match[4] === undefined ? `${text}T00:00:00Z` : text.replace(' ', 'T'));
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

/**
 * Checks a value (as decoded from JSON) against an attribute's type. Ints are safe integers (±(2^53 − 1),
 * what JSON numbers carry exactly); floats are finite; timestamps are RFC 3339 strings.
 */
export function toTypedValue(type: AttributeType, value: unknown, name: string): TypedValue {
  const refuse = (what: string) => new InvalidArgument(`attribute ${JSON.stringify(name)} is ${what}, not ${describe(value)}`);
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw refuse('a string');
      if (!value.isWellFormed() || value.includes('\u0000')) throw new InvalidArgument(`attribute ${JSON.stringify(name)}: the string is not valid Unicode text`);
      if (Buffer.byteLength(value, 'utf8') > STRING_VALUE_MAX_BYTES) {
        throw new InvalidArgument(`attribute ${JSON.stringify(name)}: strings are limited to ${STRING_VALUE_MAX_BYTES} bytes`);
      }
      return { type, value };
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw refuse('an int (an integer within ±(2^53 − 1))');
      return { type, value };
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw refuse('a float (a finite number)');
      return { type, value };
    case 'bool':
      if (typeof value !== 'boolean') throw refuse('a bool (true or false)');
      return { type, value };
    case 'timestamp': {
      const instant = typeof value === 'string' ? parseTimestamp(value) : undefined;
      if (instant === undefined) throw refuse('a timestamp (RFC 3339, e.g. 2024-05-01T12:00:00Z)');
      return { type, value: instant };
    }
  }
}

/** The typed column that holds values of a type. */
export type ValueColumn = 'v_text' | 'v_int' | 'v_float' | 'v_bool' | 'v_time';

export function valueColumn(type: AttributeType): ValueColumn {
  switch (type) {
    case 'string':
      return 'v_text';
    case 'int':
      return 'v_int';
    case 'float':
      return 'v_float';
    case 'bool':
      return 'v_bool';
    case 'timestamp':
      return 'v_time';
  }
}

type ValueRow = Pick<MetadataValuesTable, ValueColumn>;

/** Reads the value of a row back, by the attribute's type; a row of the wrong shape is a bug. */
export function fromValueRow(type: AttributeType, row: ValueRow, name: string): AttributeValue {
  const value = row[valueColumn(type)];
  if (value === null) throw new Internal(`attribute ${name} has a value of another type stored`);
  return value;
}

/** The typed columns of a value row as sent to the database (timestamps as RFC 3339 text). */
export interface ValueColumns {
  readonly v_text: string | null;
  readonly v_int: number | null;
  readonly v_float: number | null;
  readonly v_bool: boolean | null;
  readonly v_time: string | null;
}

const NO_VALUE: ValueColumns = { v_text: null, v_int: null, v_float: null, v_bool: null, v_time: null };

/** The row columns of a typed value, for inserts: every other column is null. */
export function toValueColumns(typed: TypedValue): ValueColumns {
  switch (typed.type) {
    case 'string':
      return { ...NO_VALUE, v_text: typed.value };
    case 'int':
      return { ...NO_VALUE, v_int: typed.value };
    case 'float':
      return { ...NO_VALUE, v_float: typed.value };
    case 'bool':
      return { ...NO_VALUE, v_bool: typed.value };
    case 'timestamp':
      return { ...NO_VALUE, v_time: typed.value.toISOString() };
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return `a ${typeof value}`;
}
