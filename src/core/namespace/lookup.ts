import type { Queryable } from '../../db/schema';
import { anyText, anyUuid } from '../../db/sql-helpers';
import { toEntry, type Entry } from '../entry';

/** One query for any number of LFNs; the map is keyed by LFN. */
export async function entriesByLfn(db: Queryable, lfns: readonly string[]): Promise<Map<string, Entry>> {
  if (lfns.length === 0) return new Map();
  const rows = await db.selectFrom('entries').selectAll().where('lfn', '=', anyText(lfns)).execute();
  return new Map(rows.map((row) => [row.lfn, toEntry(row)]));
}

/** One query for any number of GUIDs; the map is keyed by GUID. */
export async function filesByGuid(db: Queryable, guids: readonly string[]): Promise<Map<string, Entry>> {
  if (guids.length === 0) return new Map();
  const rows = await db.selectFrom('entries').selectAll().where('guid', '=', anyUuid(guids)).execute();
  return new Map(rows.map((row) => [row.guid ?? '', toEntry(row)]));
}
