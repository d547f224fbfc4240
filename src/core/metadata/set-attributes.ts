import { sql } from 'kysely';
import { inTransaction } from '../../db/transaction';
import { checkBulkSize, metadataSettings, type CatalogContext } from '../context';
import { CatalogError, InvalidArgument, NotExists } from '../errors';
import { parseLfn, type Lfn } from '../names/lfn';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { attributesByName, defineFreeForm, type AttributeDefinition } from './attribute-definitions';
import { parseAttributeName } from './attribute-names';
import { toTypedValue, toValueColumns, type TypedValue, type ValueColumns } from './attribute-value';
import { governingSchemas } from './schema-bindings';
import { targetEntries } from './target-entries';

export interface SetAttributesItem {
  readonly lfn: string;
  /** Attribute name → value (string, number, boolean, or an RFC 3339 string for timestamps). */
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** Attributes (and values) in one item; more is refused, so one item cannot become a huge statement. */
export const MAX_ATTRIBUTES_PER_ITEM = 1000;

/**
 * Sets attributes on entries (files or directories; symlinks are followed). Each item is all or
 * nothing: one value of the wrong type, or an attribute no schema defines (unless the site allows
 * free-form attributes), fails the item and sets none of its values. Values of all items are written
 * in one statement; when several items set one attribute of one entry, the last one wins. An entry
 * bound to schemas, or in a directory bound to some, takes only attributes of those schemas.
 */
export async function setAttributes(ctx: CatalogContext, items: readonly SetAttributesItem[]): Promise<Result<null>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => {
    const lfn = parseLfn(item.lfn);
    if (typeof item.attributes !== 'object' || item.attributes === null || Array.isArray(item.attributes)) {
      throw new InvalidArgument('attributes must be an object of name: value');
    }
    const pairs = Object.entries(item.attributes);
    if (pairs.length > MAX_ATTRIBUTES_PER_ITEM) throw new InvalidArgument(`more than ${MAX_ATTRIBUTES_PER_ITEM} attributes in one item`);
    const values = pairs.map(([name, value]) => ({ name: parseAttributeName(name), value }));
    if (new Set(values.map((v) => v.name)).size !== values.length) throw new InvalidArgument('an attribute is named twice (after Unicode normalization)');
    return { lfn, values };
  });
  const freeForm = metadataSettings(ctx).freeFormAttributes;

  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<null>(items.length);
    const names = parsed.flatMap((p) => (p instanceof CatalogError ? [] : p.values.map((v) => v.name)));
    let known = await attributesByName(trx, names);
    if (freeForm) {
      // Only names whose values could be free-form strings: a number for an unknown name stays an error.
      const unknown = parsed.flatMap((p) =>
        p instanceof CatalogError ? [] : p.values.filter((v) => !known.has(v.name) && typeof v.value === 'string').map((v) => v.name),
      );
      if (unknown.length > 0) {
        await defineFreeForm(trx, unknown);
        known = await attributesByName(trx, names);
      }
    }

    const typed: { index: number; lfn: Lfn; values: { attribute: AttributeDefinition; typed: TypedValue }[] }[] = [];
    parsed.forEach((p, index) => {
      if (p instanceof CatalogError) return slots.fail(index, p);
      try {
        const values = p.values.map(({ name, value }) => {
          const attribute = known.get(name);
          if (attribute === undefined) {
            throw new InvalidArgument(
              freeForm
                ? `no schema defines attribute ${JSON.stringify(name)}, and free-form attributes are strings`
                : `no schema defines attribute ${JSON.stringify(name)} (free-form attributes are not enabled on this catalog)`,
            );
          }
          return { attribute, typed: toTypedValue(attribute.type, value, name) };
        });
        typed.push({ index, lfn: p.lfn, values });
      } catch (error) {
        slots.fail(index, error instanceof CatalogError ? error : new InvalidArgument(`malformed item ${index}`));
      }
    });

    const targets = await targetEntries(ctx, trx, typed.map((t) => t.lfn), 'setMetadata');
    const governed = await governingSchemas(trx, targets.flatMap((t) => (t.ok ? [t.value] : [])));
    // Later items win: one statement cannot update a row twice, so only the last value of a pair is sent.
    const rows = new Map<string, { entry_id: string; attribute_id: string } & ValueColumns>();
    const writes: { index: number; entryId: string }[] = [];
    typed.forEach((t, k) => {
      const target = targets[k]!;
      if (!target.ok) return slots.fail(t.index, target.error);
      const entryId = target.value.id;
      const schemas = governed.get(entryId);
      const outside = schemas === undefined ? undefined : t.values.find(({ attribute }) => attribute.schema === null || !schemas.has(attribute.schema));
      if (outside !== undefined && schemas !== undefined) {
        return slots.fail(t.index, new InvalidArgument(outsideMessage(target.value.lfn, outside.attribute, schemas)));
      }
      for (const { attribute, typed: value } of t.values) {
        rows.set(`${entryId} ${attribute.id}`, { entry_id: entryId, attribute_id: attribute.id, ...toValueColumns(value) });
      }
      writes.push({ index: t.index, entryId });
    });

    const written = new Set<string>();
    if (rows.size > 0) {
      // Entries are locked FOR KEY SHARE: an entry removed concurrently waits for us or wins, and then
      // its values are skipped (the item is NotExists, with nothing of it written). An attribute dropped
      // concurrently fails the foreign key instead, and the transaction runs again, finding it gone.
      const result = await sql<{ entry_id: string }>`
        INSERT INTO metadata_values (entry_id, attribute_id, v_text, v_int, v_float, v_bool, v_time)
        SELECT u.entry_id, u.attribute_id, u.v_text, u.v_int, u.v_float, u.v_bool, u.v_time
        FROM json_to_recordset(${JSON.stringify([...rows.values()])}::json) AS u(
          entry_id uuid, attribute_id uuid, v_text text, v_int int8, v_float float8, v_bool boolean, v_time timestamptz)
        JOIN entries e ON e.id = u.entry_id
        ORDER BY u.entry_id, u.attribute_id
        FOR KEY SHARE OF e
        ON CONFLICT (entry_id, attribute_id) DO UPDATE
          SET v_text = excluded.v_text, v_int = excluded.v_int, v_float = excluded.v_float,
              v_bool = excluded.v_bool, v_time = excluded.v_time
        RETURNING entry_id`.execute(trx);
      for (const row of result.rows) written.add(row.entry_id);
    }
    const emptyItem = new Set(typed.filter((t) => t.values.length === 0).map((t) => t.index));
    for (const w of writes) {
      if (written.has(w.entryId) || emptyItem.has(w.index)) slots.succeed(w.index, null);
      else slots.fail(w.index, new NotExists('no such entry (removed concurrently)'));
    }
    return slots.toArray();
  });
}

function outsideMessage(lfn: Lfn, attribute: AttributeDefinition, schemas: ReadonlySet<string>): string {
  const from = attribute.schema === null ? 'is free-form' : `belongs to schema ${JSON.stringify(attribute.schema)}`;
  const allowed = [...schemas].sort().map((name) => JSON.stringify(name)).join(', ');
  return `attribute ${JSON.stringify(attribute.name)} ${from}, but ${lfn} takes only attributes of ${allowed} (its schema bindings)`;
}
