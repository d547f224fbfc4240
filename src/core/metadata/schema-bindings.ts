import { sql } from 'kysely';
import type { Queryable } from '../../db/schema';
import { anyText, anyUuid } from '../../db/sql-helpers';
import { inTransaction, reading } from '../../db/transaction';
import { checkBulkSize, type CatalogContext } from '../context';
import type { Entry } from '../entry';
import { CatalogError, Exists, NotADirectory, NotExists } from '../errors';
import { parseLfn, type Lfn } from '../names/lfn';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { parseSchemaName } from './attribute-names';
import { targetEntries } from './target-entries';

// Bindings say which schemas an entry's attributes come from (migrations/0005_schema_bindings.sql).
// They are Fireman's MetadataCatalog entries (createEntry binds, removeEntry drops an entry's metadata)
// and its associateDirWithSchema (a directory's bindings govern the entries directly in it). They are
// checked when attributes are set; values set before a binding existed are kept.

export interface BindSchemaItem {
  readonly lfn: string;
  readonly schema: string;
}

export interface BindOptions {
  /** Refuse entries that are not directories (NotADirectory): FiremanCatalog's associateDirWithSchema. */
  readonly directoriesOnly?: boolean;
}

/** The schemas bound to an entry, and those it is governed by through its parent directory. */
export interface SchemaBindings {
  readonly schemas: readonly string[];
  readonly inherited: readonly string[];
}

/** A binding item whose entry and schema were found. */
interface BindingRow {
  readonly index: number;
  readonly lfn: Lfn;
  readonly entryId: string;
  readonly schemaId: string;
  readonly schema: string;
}

interface ParsedBinding {
  readonly lfn: Lfn;
  readonly schema: string;
}

/**
 * Binds entries to schemas (symlinks followed; the `setMetadata` right needed). Binding a pair that is
 * already bound is `Exists`, as Fireman's createEntry of an existing entry is; an unknown schema is
 * `NotExists`. All items are written in one statement.
 */
export async function bindSchemas(ctx: CatalogContext, items: readonly BindSchemaItem[], options: BindOptions = {}): Promise<Result<null>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item): ParsedBinding => ({ lfn: parseLfn(item.lfn), schema: parseSchemaName(item.schema) }));
  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<null>(items.length);
    const directoriesOnly = options.directoriesOnly === true;
    const rows = await bindingRows(ctx, trx, parsed, slots, (entry) =>
      directoriesOnly && entry.kind !== 'directory' ? new NotADirectory(`not a directory: ${entry.lfn}`) : undefined,
    );
    const inserted = new Set<string>();
    if (rows.length > 0) {
      // ON CONFLICT DO NOTHING tells "already bound" apart without a failed statement; a schema or entry
      // removed concurrently fails the foreign key and the transaction runs again, finding it gone.
      const pairs = uniquePairs(rows);
      const result = await sql<{ entry_id: string; schema_id: string }>`
        INSERT INTO metadata_bindings (entry_id, schema_id)
        SELECT u.entry_id, u.schema_id FROM unnest(${pairs.map((p) => p.entryId)}::uuid[], ${pairs.map((p) => p.schemaId)}::uuid[]) AS u(entry_id, schema_id)
        ORDER BY u.entry_id, u.schema_id
        ON CONFLICT (entry_id, schema_id) DO NOTHING
        RETURNING entry_id, schema_id`.execute(trx);
      for (const row of result.rows) inserted.add(`${row.entry_id} ${row.schema_id}`);
    }
    for (const row of rows) {
      const key = `${row.entryId} ${row.schemaId}`;
      // The first item naming a pair made it; a repeat in the same request is Exists like any other.
      if (inserted.delete(key)) slots.succeed(row.index, null);
      else slots.fail(row.index, new Exists(`${row.lfn} is already bound to schema ${JSON.stringify(row.schema)}`));
    }
    return slots.toArray();
  });
}

/** Unbinds entries from one schema each; `NotExists` when the pair is not bound. Values stay. */
export async function unbindSchemas(ctx: CatalogContext, items: readonly BindSchemaItem[]): Promise<Result<null>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item): ParsedBinding => ({ lfn: parseLfn(item.lfn), schema: parseSchemaName(item.schema) }));
  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<null>(items.length);
    const rows = await bindingRows(ctx, trx, parsed, slots, () => undefined);
    const deleted = new Set<string>();
    if (rows.length > 0) {
      const pairs = uniquePairs(rows);
      const result = await sql<{ entry_id: string; schema_id: string }>`
        DELETE FROM metadata_bindings
        WHERE (entry_id, schema_id) IN (SELECT * FROM unnest(${pairs.map((p) => p.entryId)}::uuid[], ${pairs.map((p) => p.schemaId)}::uuid[]))
        RETURNING entry_id, schema_id`.execute(trx);
      for (const row of result.rows) deleted.add(`${row.entry_id} ${row.schema_id}`);
    }
    for (const row of rows) {
      if (deleted.delete(`${row.entryId} ${row.schemaId}`)) slots.succeed(row.index, null);
      else slots.fail(row.index, new NotExists(`${row.lfn} is not bound to schema ${JSON.stringify(row.schema)}`));
    }
    return slots.toArray();
  });
}

export interface MetadataEntryItem {
  readonly lfn: string;
}

/**
 * Drops all metadata of entries — every value and every binding — leaving the entries themselves:
 * Fireman's MetadataCatalog.removeEntry over a namespace whose entries are removed with the namespace
 * operations. An entry with no metadata is `NotExists`, as removing an unknown metadata entry was.
 */
export async function removeMetadataEntries(ctx: CatalogContext, items: readonly MetadataEntryItem[]): Promise<Result<null>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => parseLfn(item.lfn));
  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<null>(items.length);
    const wanted: { index: number; lfn: Lfn }[] = [];
    parsed.forEach((p, index) => (p instanceof CatalogError ? slots.fail(index, p) : wanted.push({ index, lfn: p })));
    const targets = await targetEntries(ctx, trx, wanted.map((w) => w.lfn), 'setMetadata');
    const found: { index: number; entry: Entry }[] = [];
    wanted.forEach((w, k) => {
      const target = targets[k]!;
      if (target.ok) found.push({ index: w.index, entry: target.value });
      else slots.fail(w.index, target.error);
    });
    const ids = [...new Set(found.map((f) => f.entry.id))];
    const had = new Set<string>();
    if (ids.length > 0) {
      const values = await trx.deleteFrom('metadata_values').where('entry_id', '=', anyUuid(ids)).returning('entry_id').execute();
      const bindings = await trx.deleteFrom('metadata_bindings').where('entry_id', '=', anyUuid(ids)).returning('entry_id').execute();
      for (const row of [...values, ...bindings]) had.add(row.entry_id);
    }
    for (const f of found) {
      // A second item naming the same entry finds nothing left, as a second removeEntry would.
      if (had.delete(f.entry.id)) slots.succeed(f.index, null);
      else slots.fail(f.index, new NotExists(`${f.entry.lfn} has no metadata`));
    }
    return slots.toArray();
  });
}

/** The bindings of entries (symlinks followed; the `getMetadata` right needed), schema names in byte order. */
export async function getSchemaBindings(ctx: CatalogContext, items: readonly MetadataEntryItem[]): Promise<Result<SchemaBindings>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => parseLfn(item.lfn));
  return reading(async () => {
    const slots = new ResultSlots<SchemaBindings>(items.length);
    const wanted: { index: number; lfn: Lfn }[] = [];
    parsed.forEach((p, index) => (p instanceof CatalogError ? slots.fail(index, p) : wanted.push({ index, lfn: p })));
    const targets = await targetEntries(ctx, ctx.db, wanted.map((w) => w.lfn), 'getMetadata');
    const entries = targets.flatMap((t) => (t.ok ? [t.value] : []));
    const bound = await boundSchemas(ctx.db, entries.flatMap((e) => (e.parentId === null ? [e.id] : [e.id, e.parentId])));
    wanted.forEach((w, k) => {
      const target = targets[k]!;
      if (!target.ok) return slots.fail(w.index, target.error);
      const entry = target.value;
      slots.succeed(w.index, {
        schemas: bound.get(entry.id) ?? [],
        inherited: entry.parentId === null ? [] : (bound.get(entry.parentId) ?? []),
      });
    });
    return slots.toArray();
  });
}

/**
 * For each entry, the schemas its attributes must come from — its own bindings and its parent
 * directory's — or no key when it has none and is unrestricted. One query for all entries.
 */
export async function governingSchemas(db: Queryable, entries: readonly Entry[]): Promise<Map<string, Set<string>>> {
  const bound = await boundSchemas(db, entries.flatMap((e) => (e.parentId === null ? [e.id] : [e.id, e.parentId])));
  const out = new Map<string, Set<string>>();
  if (bound.size === 0) return out;
  for (const entry of entries) {
    const schemas = [...(bound.get(entry.id) ?? []), ...(entry.parentId === null ? [] : (bound.get(entry.parentId) ?? []))];
    if (schemas.length > 0) out.set(entry.id, new Set(schemas));
  }
  return out;
}

/** Entry id → names of the schemas bound to it, in byte order. */
async function boundSchemas(db: Queryable, entryIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (entryIds.length === 0) return out;
  const rows = await db
    .selectFrom('metadata_bindings as b')
    .innerJoin('metadata_schemas as s', 's.id', 'b.schema_id')
    .select(['b.entry_id', 's.name'])
    .where('b.entry_id', '=', anyUuid([...new Set(entryIds)]))
    .orderBy('s.name')
    .execute();
  for (const row of rows) {
    const list = out.get(row.entry_id);
    if (list === undefined) out.set(row.entry_id, [row.name]);
    else list.push(row.name);
  }
  return out;
}

/**
 * The entries and schemas of parsed binding items, set-based: unknown schemas, entries not found or not
 * allowed, and entries `refuse` objects to fail their items; the rest become rows.
 */
async function bindingRows(
  ctx: CatalogContext,
  trx: Queryable,
  parsed: readonly (ParsedBinding | CatalogError)[],
  slots: ResultSlots<null>,
  refuse: (entry: Entry) => CatalogError | undefined,
): Promise<BindingRow[]> {
  const names = [...new Set(parsed.flatMap((p) => (p instanceof CatalogError ? [] : [p.schema])))];
  const schemas =
    names.length === 0
      ? new Map<string, string>()
      : new Map((await trx.selectFrom('metadata_schemas').select(['id', 'name']).where('name', '=', anyText(names)).execute()).map((r) => [r.name, r.id]));
  const wanted: { index: number; lfn: Lfn; schemaId: string; schema: string }[] = [];
  parsed.forEach((p, index) => {
    if (p instanceof CatalogError) return slots.fail(index, p);
    const schemaId = schemas.get(p.schema);
    if (schemaId === undefined) return slots.fail(index, new NotExists(`no such schema: ${JSON.stringify(p.schema)}`));
    wanted.push({ index, lfn: p.lfn, schemaId, schema: p.schema });
  });
  const targets = await targetEntries(ctx, trx, wanted.map((w) => w.lfn), 'setMetadata');
  const rows: BindingRow[] = [];
  wanted.forEach((w, k) => {
    const target = targets[k]!;
    if (!target.ok) return slots.fail(w.index, target.error);
    const refusal = refuse(target.value);
    if (refusal !== undefined) return slots.fail(w.index, refusal);
    rows.push({ index: w.index, lfn: target.value.lfn, entryId: target.value.id, schemaId: w.schemaId, schema: w.schema });
  });
  return rows;
}

function uniquePairs(rows: readonly { entryId: string; schemaId: string }[]): { entryId: string; schemaId: string }[] {
  const seen = new Map<string, { entryId: string; schemaId: string }>();
  for (const row of rows) seen.set(`${row.entryId} ${row.schemaId}`, row);
  return [...seen.values()];
}
