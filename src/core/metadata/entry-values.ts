import type { AttributeType, Queryable } from '../../db/schema';
import { anyUuid } from '../../db/sql-helpers';
import { fromValueRow, type AttributeValue } from './attribute-value';

/** One attribute of an entry, with its value: Fireman's `Attribute {name, value, type}`. */
export interface EntryAttribute {
  readonly name: string;
  readonly type: AttributeType;
  /** The schema that defines the attribute; null for a free-form attribute. */
  readonly schema: string | null;
  readonly value: AttributeValue;
}

/** The attributes set on many entries, in one query; each list is in name order. */
export async function valuesOfEntries(db: Queryable, entryIds: readonly string[]): Promise<Map<string, EntryAttribute[]>> {
  const out = new Map<string, EntryAttribute[]>(entryIds.map((id) => [id, []]));
  if (entryIds.length === 0) return out;
  const rows = await db
    .selectFrom('metadata_values as v')
    .innerJoin('metadata_attributes as a', 'a.id', 'v.attribute_id')
    .leftJoin('metadata_schemas as s', 's.id', 'a.schema_id')
    .select(['v.entry_id', 'a.name', 'a.type', 's.name as schema', 'v.v_text', 'v.v_int', 'v.v_float', 'v.v_bool', 'v.v_time'])
    .where('v.entry_id', '=', anyUuid([...new Set(entryIds)]))
    .orderBy('v.entry_id')
    .orderBy('a.name')
    .execute();
  for (const row of rows) {
    out.get(row.entry_id)?.push({ name: row.name, type: row.type, schema: row.schema, value: fromValueRow(row.type, row, row.name) });
  }
  return out;
}
