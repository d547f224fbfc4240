import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { AttributeType, Queryable } from '../../db/schema';
import { anyText } from '../../db/sql-helpers';

/** An attribute as defined: by a schema, or free-form (schema null, always a string). */
export interface AttributeDefinition {
  readonly id: string;
  readonly name: string;
  readonly type: AttributeType;
  readonly schema: string | null;
}

/** Looks many attributes up by name in one query; the map holds those that exist. */
export async function attributesByName(db: Queryable, names: readonly string[]): Promise<Map<string, AttributeDefinition>> {
  if (names.length === 0) return new Map();
  const rows = await db
    .selectFrom('metadata_attributes as a')
    .leftJoin('metadata_schemas as s', 's.id', 'a.schema_id')
    .select(['a.id', 'a.name', 'a.type', 's.name as schema'])
    .where('a.name', '=', anyText([...new Set(names)]))
    .execute();
  return new Map(rows.map((row) => [row.name, row]));
}

/**
 * Defines free-form (string) attributes for names no schema knows yet, in one statement. A name
 * defined concurrently, by a schema or another caller, is left as the winner made it: callers look
 * the names up again and check the type.
 */
export async function defineFreeForm(db: Queryable, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const rows = [...new Set(names)].map((name) => ({ id: randomUUID(), name }));
  await sql`
    INSERT INTO metadata_attributes (id, schema_id, name, type)
    SELECT u.id, NULL, u.name, 'string' FROM json_to_recordset(${JSON.stringify(rows)}::json) AS u(id uuid, name text)
    ORDER BY u.name COLLATE "C"
    ON CONFLICT (name) DO NOTHING`.execute(db);
}
