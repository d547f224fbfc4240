import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/schema';
import { inTransaction, reading } from '../../db/transaction';
import { metadataSettings, type CatalogContext } from '../context';
import { Conflict, Exists, InvalidArgument, NotExists, PermissionDenied } from '../errors';
import { parseAttributeName, parseSchemaName } from './attribute-names';
import {
  attributesInUse,
  deleteAttributes,
  insertAttributes,
  loadSchema,
  loadSchemas,
  parseAttributeDefinitions,
  type Schema,
} from './schema';

// Schema management is administrative (Fireman's MetadataSchema): admins only unless the site opens it
// (MetadataSettings.schemaManagers). Each call is one transaction: a schema is never half created or half altered.

export interface NewSchema {
  readonly name: string;
  readonly attributes: readonly { readonly name: string; readonly type: string }[];
}

export interface ForceOption {
  /** Also delete the values of attributes that are in use (refused otherwise). */
  readonly force?: boolean;
}

/** Creates a schema with its attributes; `Exists` when the schema or any attribute name is taken. */
export async function createSchema(ctx: CatalogContext, input: NewSchema): Promise<Schema> {
  mayManageSchemas(ctx);
  const name = parseSchemaName(input.name);
  const attributes = parseAttributeDefinitions(input.attributes);
  return inTransaction(ctx.db, async (trx) => {
    const id = randomUUID();
    const inserted = await trx
      .insertInto('metadata_schemas')
      .values({ id, name })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted === undefined) throw new Exists(`schema ${JSON.stringify(name)} already exists`);
    await insertAttributes(trx, id, attributes);
    return loadSchema(trx, name);
  });
}

export async function listSchemas(ctx: CatalogContext): Promise<Schema[]> {
  return reading(() => loadSchemas(ctx.db));
}

export async function describeSchema(ctx: CatalogContext, nameInput: string): Promise<Schema> {
  const name = parseSchemaName(nameInput);
  return reading(() => loadSchema(ctx.db, name));
}

export async function addSchemaAttributes(ctx: CatalogContext, nameInput: string, attributesInput: NewSchema['attributes']): Promise<Schema> {
  mayManageSchemas(ctx);
  const name = parseSchemaName(nameInput);
  const attributes = parseAttributeDefinitions(attributesInput);
  if (attributes.length === 0) throw new InvalidArgument('attributes must define at least one attribute');
  return inTransaction(ctx.db, async (trx) => {
    const id = await lockSchema(trx, name);
    await insertAttributes(trx, id, attributes);
    return loadSchema(trx, name);
  });
}

/** Removes attributes from a schema; refused while entries carry them, unless forced. */
export async function removeSchemaAttributes(
  ctx: CatalogContext,
  nameInput: string,
  namesInput: readonly string[],
  options: ForceOption = {},
): Promise<Schema> {
  mayManageSchemas(ctx);
  const name = parseSchemaName(nameInput);
  if (!Array.isArray(namesInput) || namesInput.length === 0) throw new InvalidArgument('names must name at least one attribute');
  const names = [...new Set(namesInput.map((n) => parseAttributeName(n)))];
  return inTransaction(ctx.db, async (trx) => {
    const id = await lockSchema(trx, name);
    const rows = await trx.selectFrom('metadata_attributes').select(['id', 'name', 'type']).where('schema_id', '=', id).execute();
    const byName = new Map(rows.map((r) => [r.name, r]));
    const missing = names.find((n) => !byName.has(n));
    if (missing !== undefined) throw new NotExists(`schema ${JSON.stringify(name)} has no attribute ${JSON.stringify(missing)}`);
    const doomed = names.map((n) => byName.get(n)!);
    await refuseInUse(trx, doomed, options, `remove them with force`);
    await deleteAttributes(trx, doomed);
    return loadSchema(trx, name);
  });
}

/** Drops a schema and its attributes; refused while entries carry any of them, unless forced. */
export async function dropSchema(ctx: CatalogContext, nameInput: string, options: ForceOption = {}): Promise<void> {
  mayManageSchemas(ctx);
  const name = parseSchemaName(nameInput);
  await inTransaction(ctx.db, async (trx) => {
    const id = await lockSchema(trx, name);
    const attributes = await trx.selectFrom('metadata_attributes').select(['id', 'name', 'type']).where('schema_id', '=', id).execute();
    await refuseInUse(trx, attributes, options, 'drop it with force');
    await deleteAttributes(trx, attributes);
    await trx.deleteFrom('metadata_schemas').where('id', '=', id).execute();
  });
}

/** The schema's id, with its row locked so concurrent alterations of one schema take turns. */
async function lockSchema(trx: Queryable, name: string): Promise<string> {
  const row = await trx.selectFrom('metadata_schemas').select('id').where('name', '=', name).forUpdate().executeTakeFirst();
  if (row === undefined) throw new NotExists(`no such schema: ${JSON.stringify(name)}`);
  return row.id;
}

async function refuseInUse(
  trx: Queryable,
  attributes: Parameters<typeof attributesInUse>[1],
  options: ForceOption,
  hint: string,
): Promise<void> {
  if (options.force === true) return;
  const used = await attributesInUse(trx, attributes);
  if (used.length > 0) {
    throw new Conflict(`attribute${used.length > 1 ? 's' : ''} ${used.map((u) => JSON.stringify(u)).join(', ')} still set on entries; ${hint}`);
  }
}

/** Refuses callers who may not change schemas; checked before any input, so nothing is revealed to them. */
function mayManageSchemas(ctx: CatalogContext): void {
  if (ctx.authorization === 'disabled' || ctx.identity.admin === true) return;
  if (metadataSettings(ctx).schemaManagers === 'everyone') return;
  throw new PermissionDenied('only admins may create, alter or drop metadata schemas on this catalog (REPLICAT_SCHEMA_MANAGERS)');
}
