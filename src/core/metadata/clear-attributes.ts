import { sql } from 'kysely';
import { inTransaction } from '../../db/transaction';
import { checkBulkSize, type CatalogContext } from '../context';
import { CatalogError, InvalidArgument } from '../errors';
import { parseLfn, type Lfn } from '../names/lfn';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { attributesByName } from './attribute-definitions';
import { parseNames } from './get-attributes';
import { targetEntries } from './target-entries';

export interface ClearAttributesItem {
  readonly lfn: string;
  readonly names: readonly string[];
}

/**
 * Removes attribute values from entries, all items in one statement. Clearing an attribute the entry
 * does not have is fine (the outcome is the same); naming one no schema defines fails the item.
 */
export async function clearAttributes(ctx: CatalogContext, items: readonly ClearAttributesItem[]): Promise<Result<null>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => {
    const names = parseNames(item.names);
    if (names.length === 0) throw new InvalidArgument('names must name at least one attribute');
    return { lfn: parseLfn(item.lfn), names };
  });
  return inTransaction(ctx.db, async (trx) => {
    const slots = new ResultSlots<null>(items.length);
    const known = await attributesByName(trx, parsed.flatMap((p) => (p instanceof CatalogError ? [] : p.names)));
    const wanted: { index: number; lfn: Lfn; attributeIds: string[] }[] = [];
    parsed.forEach((p, index) => {
      if (p instanceof CatalogError) return slots.fail(index, p);
      const unknown = p.names.find((name) => !known.has(name));
      if (unknown !== undefined) return slots.fail(index, new InvalidArgument(`no such attribute: ${JSON.stringify(unknown)}`));
      wanted.push({ index, lfn: p.lfn, attributeIds: p.names.map((name) => known.get(name)!.id) });
    });
    const targets = await targetEntries(ctx, trx, wanted.map((w) => w.lfn), 'setMetadata');
    const entryIds: string[] = [];
    const attributeIds: string[] = [];
    wanted.forEach((w, k) => {
      const target = targets[k]!;
      if (!target.ok) return slots.fail(w.index, target.error);
      for (const id of w.attributeIds) {
        entryIds.push(target.value.id);
        attributeIds.push(id);
      }
      slots.succeed(w.index, null);
    });
    if (entryIds.length > 0) {
      await sql`
        DELETE FROM metadata_values
        WHERE (entry_id, attribute_id) IN (SELECT * FROM unnest(${entryIds}::uuid[], ${attributeIds}::uuid[]))`.execute(trx);
    }
    return slots.toArray();
  });
}
