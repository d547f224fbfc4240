import { sql, type RawBuilder } from 'kysely';

/** `= any($1::text[])`: one parameter for any number of values, one index probe per value. */
export function anyText(values: readonly string[]): RawBuilder<string> {
  return sql<string>`any(${values}::text[])`;
}

export function anyUuid(values: readonly string[]): RawBuilder<string> {
  return sql<string>`any(${values}::uuid[])`;
}
