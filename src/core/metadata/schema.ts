import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { AttributeType, Queryable } from '../../db/schema';
import { anyText } from '../../db/sql-helpers';
import { Exists, InvalidArgument, NotExists } from '../errors';
import { parseAttributeName } from './attribute-names';
import { isAttributeType, valueColumn } from './attribute-value';

/** A named set of typed attributes (Fireman's MetadataSchema). */
export interface Schema {
  readonly name: string;
  /** In name order. */
  readonly attributes: readonly SchemaAttribute[];
}

export interface SchemaAttribute {
  readonly name: string;
  readonly type: AttributeType;
}

/** Attributes one schema call may define. */
export const MAX_SCHEMA_ATTRIBUTES = 1000;

/** Checks attribute definitions as given by a caller: names valid and distinct, types known. */
export function parseAttributeDefinitions(input: unknown): SchemaAttribute[] {
  if (!Array.isArray(input)) throw new InvalidArgument('attributes must be a list of {name, type}');
  if (input.length > MAX_SCHEMA_ATTRIBUTES) throw new InvalidArgument(`more than ${MAX_SCHEMA_ATTRIBUTES} attributes`);
  const out = input.map((item: unknown) => {
    const { name, type } = (typeof item === 'object' && item !== null ? item : {}) as { name?: unknown; type?: unknown };
    const parsed = parseAttributeName(name);
    if (!isAttributeType(type)) {
      throw new InvalidArgument(`attribute ${JSON.stringify(parsed)}: type must be one of string, int, float, bool, timestamp`);
    }
    return { name: parsed, type };
  });
  const seen = new Set<string>();
  for (const a of out) {
    if (seen.has(a.name)) throw new InvalidArgument(`attribute ${JSON.stringify(a.name)} is defined twice`);
    seen.add(a.name);
  }
  return out;
}

/** Schemas with their attributes, by name (all of them when `names` is undefined). */
export async function loadSchemas(db: Queryable, names?: readonly string[]): Promise<Schema[]> {
  let query = db
    .selectFrom('metadata_schemas as s')
    .leftJoin('metadata_attributes as a', 'a.schema_id', 's.id')
    .select(['s.name as schema', 'a.name', 'a.type'])
    .orderBy('s.name')
    .orderBy('a.name');
  if (names !== undefined) query = query.where('s.name', '=', anyText(names));
  const schemas = new Map<string, SchemaAttribute[]>();
  for (const row of await query.execute()) {
    const list = schemas.get(row.schema) ?? [];
    if (row.name !== null && row.type !== null) list.push({ name: row.name, type: row.type });
    schemas.set(row.schema, list);
  }
  return [...schemas].map(([name, attributes]) => ({ name, attributes }));
}

export async function loadSchema(db: Queryable, name: string): Promise<Schema> {
  const [schema] = await loadSchemas(db, [name]);
  if (schema === undefined) throw new NotExists(`no such schema: ${JSON.stringify(name)}`);
  return schema;
}

/**
 * Adds attributes to a schema in one statement. Names are unique across all schemas (and free-form
 * attributes), so a taken name is `Exists`, naming who has it; nothing is added then.
 */
export async function insertAttributes(db: Queryable, schemaId: string, attributes: readonly SchemaAttribute[]): Promise<void> {
  if (attributes.length === 0) return;
  const rows = attributes.map((a) => ({ id: randomUUID(), schema_id: schemaId, name: a.name, type: a.type }));
  const inserted = await sql<{ name: string }>`
    INSERT INTO metadata_attributes (id, schema_id, name, type)
    SELECT u.id, u.schema_id, u.name, u.type FROM json_to_recordset(${JSON.stringify(rows)}::json) AS u(id uuid, schema_id uuid, name text, type text)
    ORDER BY u.name COLLATE "C"
    ON CONFLICT (name) DO NOTHING
    RETURNING name`.execute(db);
  if (inserted.rows.length === rows.length) return;
  const done = new Set(inserted.rows.map((r) => r.name));
  const taken = attributes.filter((a) => !done.has(a.name)).map((a) => a.name);
  const owners = await db
    .selectFrom('metadata_attributes as a')
    .leftJoin('metadata_schemas as s', 's.id', 'a.schema_id')
    .select(['a.name', 's.name as schema'])
    .where('a.name', '=', anyText(taken))
    .execute();
  const first = owners[0];
  const owner = first === undefined ? 'another schema' : first.schema === null ? 'a free-form attribute' : `schema ${JSON.stringify(first.schema)}`;
  throw new Exists(`attribute ${JSON.stringify(first?.name ?? taken[0])} already exists (in ${owner}); attribute names are unique across schemas`);
}

/** Attributes (id and type) that have at least one value, each checked on its own typed index. */
export async function attributesInUse(db: Queryable, attributes: readonly { id: string; type: AttributeType; name: string }[]): Promise<string[]> {
  const used: string[] = [];
  for (const a of attributes) {
    const row = await db
      .selectFrom('metadata_values')
      .select('entry_id')
      .where('attribute_id', '=', a.id)
      .where(valueColumn(a.type), 'is not', null)
      .limit(1)
      .executeTakeFirst();
    if (row !== undefined) used.push(a.name);
  }
  return used;
}

/**
 * Deletes attributes and their values. Values are deleted first through each type's index (the
 * cascade alone would scan the values table for every attribute).
 */
export async function deleteAttributes(db: Queryable, attributes: readonly { id: string; type: AttributeType }[]): Promise<void> {
  for (const a of attributes) {
    await db.deleteFrom('metadata_values').where('attribute_id', '=', a.id).where(valueColumn(a.type), 'is not', null).execute();
  }
  if (attributes.length > 0) {
    await db.deleteFrom('metadata_attributes').where('id', '=', sql<string>`any(${attributes.map((a) => a.id)}::uuid[])`).execute();
  }
}
