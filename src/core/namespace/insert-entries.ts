import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { Database, EntryKind } from '../../db/schema';
import { toEntry, type Entry, type EntryRow } from '../entry';
import type { Lfn } from '../names/lfn';
import type { BaseRights } from '../access/permission';

export interface NewEntry {
  readonly id: string;
  /** The parent as the caller resolved it; the row is inserted only if it is still that directory. */
  readonly parentLfn: Lfn;
  readonly lfn: Lfn;
  readonly name: string;
  readonly kind: EntryKind;
  readonly guid: string | null;
  readonly target: string | null;
  readonly size: number | null;
  readonly checksumType: string | null;
  readonly checksum: string | null;
  readonly owner: string;
  readonly group: string;
  readonly base: BaseRights;
}

/** What the database decides about a new entry; the service knows every other column already. */
interface InsertedColumns {
  readonly id: string;
  readonly parent_id: string;
  readonly ctime: Date;
  readonly mtime: Date;
  readonly status: number;
  readonly validity: Date | null;
  readonly acl: string;
}

/**
 * Inserts many entries in one statement and returns those inserted, keyed by id. A row is skipped, not
 * failed, when its LFN or GUID exists, or when its parent is no longer the directory at `parentLfn`:
 * each distinct parent is locked FOR KEY SHARE and re-checked after any wait, so a concurrent move or
 * removal of the parent can never leave a child under a stale path. Callers diagnose the skipped rows.
 * Parents are locked once each, in LFN order, and what their children inherit of their ACL is computed
 * once each; rows are inserted in LFN order, so concurrent bulks lock in the same order and do not
 * deadlock. Only what the database decides (ids of parents, times, the inherited ACL) comes back.
 */
export async function insertEntries(trx: Transaction<Database>, rows: readonly NewEntry[]): Promise<Map<string, Entry>> {
  if (rows.length === 0) return new Map();
  // One JSON parameter instead of twelve arrays: JSON.stringify is native, array escaping is not.
  const json = JSON.stringify(
    rows.map((r) => ({
      id: r.id,
      parent_lfn: r.parentLfn,
      lfn: r.lfn,
      name: r.name,
      kind: r.kind,
      guid: r.guid,
      target: r.target,
      size: r.size,
      checksum_type: r.checksumType,
      checksum: r.checksum,
      owner_dn: r.owner,
      group_name: r.group,
      perm_owner: r.base.owner,
      perm_group: r.base.group,
      perm_other: r.base.other,
    })),
  );
  const result = await sql<InsertedColumns>`
    WITH u AS MATERIALIZED (
      SELECT * FROM json_to_recordset(${json}::json) AS u(
        id uuid, parent_lfn text, lfn text, name text, kind text, guid uuid, target text, size int8,
        checksum_type text, checksum text, owner_dn text, group_name text,
        perm_owner int2, perm_group int2, perm_other int2)
    ), parents AS MATERIALIZED (
      SELECT p.id, p.lfn,
             -- A new entry inherits the inheritable ACL entries of its parent, as the parent is now.
             COALESCE((SELECT jsonb_agg(e) FROM jsonb_array_elements(p.acl) AS e WHERE (e->>'i')::boolean), '[]'::jsonb) AS inherited
      FROM entries p
      WHERE p.lfn IN (SELECT parent_lfn FROM u) AND p.kind = 'directory'
      ORDER BY p.lfn COLLATE "C"
      FOR KEY SHARE OF p
    )
    INSERT INTO entries (id, parent_id, lfn, name, kind, guid, target, size, checksum_type, checksum, owner_dn, group_name,
                         perm_owner, perm_group, perm_other, acl)
    SELECT u.id, p.id, u.lfn, u.name, u.kind, u.guid, u.target, u.size, u.checksum_type, u.checksum, u.owner_dn, u.group_name,
           u.perm_owner, u.perm_group, u.perm_other, p.inherited
    FROM u JOIN parents p ON p.lfn = u.parent_lfn
    ORDER BY u.lfn COLLATE "C"
    ON CONFLICT DO NOTHING
    RETURNING id, parent_id, ctime, mtime, status, validity, acl::text AS acl`.execute(trx);
  const byId = new Map<string, NewEntry>();
  for (const row of rows) byId.set(row.id, row);
  const inserted = new Map<string, Entry>();
  for (const columns of result.rows) {
    const row = byId.get(columns.id)!;
    inserted.set(
      columns.id,
      toEntry({
        id: columns.id,
        parent_id: columns.parent_id,
        ctime: columns.ctime,
        mtime: columns.mtime,
        status: columns.status,
        validity: columns.validity,
        acl: columns.acl,
        lfn: row.lfn,
        name: row.name,
        kind: row.kind,
        guid: row.guid,
        target: row.target,
        size: row.size,
        checksum_type: row.checksumType as EntryRow['checksum_type'],
        checksum: row.checksum,
        owner_dn: row.owner,
        group_name: row.group,
        perm_owner: row.base.owner,
        perm_group: row.base.group,
        perm_other: row.base.other,
      }),
    );
  }
  return inserted;
}
