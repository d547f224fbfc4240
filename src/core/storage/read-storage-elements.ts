import type { Queryable } from '../../db/schema';
import { anyText } from '../../db/sql-helpers';
import { toStorageElement, type StorageElement } from './storage-element';

/** Registered SEs (all, or the named ones) with their prefixes in registration order: two queries. */
export async function readStorageElements(db: Queryable, names?: readonly string[]): Promise<StorageElement[]> {
  if (names !== undefined && names.length === 0) return [];
  let query = db.selectFrom('storage_elements').selectAll().orderBy('name');
  if (names !== undefined) query = query.where('name', '=', anyText(names));
  const rows = await query.execute();
  if (rows.length === 0) return [];
  let prefixQuery = db.selectFrom('storage_element_prefixes').select(['se_name', 'prefix']).orderBy('se_name').orderBy('position');
  if (names !== undefined) prefixQuery = prefixQuery.where('se_name', '=', anyText(rows.map((r) => r.name)));
  const prefixes = new Map<string, string[]>();
  for (const p of await prefixQuery.execute()) {
    const list = prefixes.get(p.se_name) ?? [];
    list.push(p.prefix);
    prefixes.set(p.se_name, list);
  }
  return rows.map((row) => toStorageElement(row, prefixes.get(row.name) ?? []));
}
