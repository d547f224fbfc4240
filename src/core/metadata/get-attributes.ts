import { reading } from '../../db/transaction';
import { checkBulkSize, type CatalogContext } from '../context';
import { CatalogError, InvalidArgument } from '../errors';
import { parseLfn, type Lfn } from '../names/lfn';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { attributesByName } from './attribute-definitions';
import { parseAttributeName } from './attribute-names';
import { valuesOfEntries, type EntryAttribute } from './entry-values';
import { targetEntries } from './target-entries';

export interface GetAttributesItem {
  readonly lfn: string;
  /** Only these attributes; all of the entry's when absent. */
  readonly names?: readonly string[];
}

export interface ListAttributesItem {
  readonly lfn: string;
}

/** An attribute set on an entry, without its value (Fireman's listAttributes). */
export type AttributeInfo = Omit<EntryAttribute, 'value'>;

/**
 * The attributes of entries with their values, in name order. A named attribute that no schema defines
 * fails the item (a typo should not read as "not set"); a defined one the entry lacks is simply absent.
 */
export async function getAttributes(ctx: CatalogContext, items: readonly GetAttributesItem[]): Promise<Result<EntryAttribute[]>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, (item) => ({
    lfn: parseLfn(item.lfn),
    names: item.names === undefined ? undefined : new Set(parseNames(item.names)),
  }));
  return reading(async () => {
    const slots = new ResultSlots<EntryAttribute[]>(items.length);
    const named = parsed.flatMap((p) => (p instanceof CatalogError || p.names === undefined ? [] : [...p.names]));
    const known = await attributesByName(ctx.db, named);
    const wanted: { index: number; lfn: Lfn; names: Set<string> | undefined }[] = [];
    parsed.forEach((p, index) => {
      if (p instanceof CatalogError) return slots.fail(index, p);
      const unknown = [...(p.names ?? [])].find((name) => !known.has(name));
      if (unknown !== undefined) return slots.fail(index, new InvalidArgument(`no such attribute: ${JSON.stringify(unknown)}`));
      wanted.push({ index, ...p });
    });
    const targets = await targetEntries(ctx, ctx.db, wanted.map((w) => w.lfn), 'getMetadata');
    const ids = targets.flatMap((t) => (t.ok ? [t.value.id] : []));
    const values = await valuesOfEntries(ctx.db, ids);
    wanted.forEach((w, k) => {
      const target = targets[k]!;
      if (!target.ok) return slots.fail(w.index, target.error);
      const all = values.get(target.value.id) ?? [];
      slots.succeed(w.index, w.names === undefined ? all : all.filter((a) => w.names!.has(a.name)));
    });
    return slots.toArray();
  });
}

/** The names, types and schemas of the attributes set on entries, in name order. */
export async function listAttributes(ctx: CatalogContext, items: readonly ListAttributesItem[]): Promise<Result<AttributeInfo[]>[]> {
  const results = await getAttributes(ctx, items.map((item) => ({ lfn: item.lfn })));
  return results.map((r) => (r.ok ? { ok: true, value: r.value.map(({ name, type, schema }) => ({ name, type, schema })) } : r));
}

export function parseNames(names: unknown): string[] {
  if (!Array.isArray(names)) throw new InvalidArgument('names must be a list of attribute names');
  return names.map((name) => parseAttributeName(name));
}
