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

/**
 * Inserts many entries in one statement and returns those inserted, keyed by id. A row is skipped, not
 * failed, when its LFN or GUID exists, or when its parent is no longer the directory at `parentLfn`:
 * the parent is locked FOR KEY SHARE and re-checked after any wait, so a concurrent move or removal
 * of the parent can never leave a child under a stale path. Callers diagnose the skipped rows.
 * Rows are taken in LFN order so concurrent bulks lock in the same order and do not deadlock.
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
  const result = await sql<EntryRow>`
    INSERT INTO entries (id, parent_id, lfn, name, kind, guid, target, size, checksum_type, checksum, owner_dn, group_name,
                         perm_owner, perm_group, perm_other, acl)
    SELECT u.id, p.id, u.lfn, u.name, u.kind, u.guid, u.target, u.size, u.checksum_type, u.checksum, u.owner_dn, u.group_name,
           u.perm_owner, u.perm_group, u.perm_other,
           -- A new entry inherits the inheritable ACL entries of its parent, as the parent is now.
           COALESCE((SELECT jsonb_agg(e) FROM jsonb_array_elements(p.acl) AS e WHERE (e->>'i')::boolean), '[]'::jsonb)
    FROM json_to_recordset(${json}::json) AS u(
      id uuid, parent_lfn text, lfn text, name text, kind text, guid uuid, target text, size int8,
      checksum_type text, checksum text, owner_dn text, group_name text,
      perm_owner int2, perm_group int2, perm_other int2)
    JOIN entries p ON p.lfn = u.parent_lfn AND p.kind = 'directory'
    ORDER BY u.lfn COLLATE "C"
    FOR KEY SHARE OF p
    ON CONFLICT DO NOTHING
    RETURNING *`.execute(trx);
  return new Map(result.rows.map((row) => [row.id, toEntry(row)]));
}
