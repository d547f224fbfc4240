import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/schema';
import { anyText, anyUuid } from '../../db/sql-helpers';
import { toReplica, type Replica, type ReplicaRow } from './replica';

export interface NewReplica {
  readonly guid: string;
  readonly surl: string;
  readonly se: string;
  readonly master: boolean;
}

/**
 * Inserts replicas in one statement, skipping SURLs that are already registered (to this file or
 * another); returns the inserted SURLs. Masters are inserted as such: callers make sure no other
 * master exists for the file in this transaction (see `settleMasters`).
 */
export async function insertReplicas(trx: Transaction<Database>, replicas: readonly NewReplica[]): Promise<Set<string>> {
  if (replicas.length === 0) return new Set();
  const json = JSON.stringify(replicas.map((r) => ({ guid: r.guid, surl: r.surl, se: r.se, is_master: r.master })));
  const result = await sql<{ surl: string }>`
    INSERT INTO replicas (guid, surl, se, is_master)
    SELECT u.guid, u.surl, u.se, u.is_master
    FROM json_to_recordset(${json}::json) AS u(guid uuid, surl text, se text, is_master bool)
    ORDER BY u.surl COLLATE "C"
    ON CONFLICT DO NOTHING
    RETURNING surl`.execute(trx);
  return new Set(result.rows.map((row) => row.surl));
}

/** Makes `winners` the master replica of their files, demoting any other master, in two statements. */
export async function makeMasters(trx: Transaction<Database>, winners: ReadonlyMap<string, string>): Promise<void> {
  if (winners.size === 0) return;
  const guids = [...winners.keys()];
  const surls = [...winners.values()];
  await trx
    .updateTable('replicas')
    .set({ is_master: false, mtime: sql`now()` })
    .where('guid', '=', anyUuid(guids))
    .where('is_master', '=', true)
    .where('surl', '!=', sql<string>`all(${surls}::text[])`)
    .execute();
  await trx
    .updateTable('replicas')
    .set({ is_master: true, mtime: sql`now()` })
    .where('surl', '=', anyText(surls))
    .where('is_master', '=', false)
    .execute();
}

/** For files that have replicas but no master (their master was removed), the oldest becomes master. */
export async function promoteOrphanedMasters(trx: Transaction<Database>, guids: readonly string[]): Promise<void> {
  if (guids.length === 0) return;
  await sql`
    UPDATE replicas r SET is_master = true, mtime = now()
    FROM (
      SELECT DISTINCT ON (guid) guid, surl FROM replicas
      WHERE guid = any(${guids}::uuid[])
      ORDER BY guid, ctime, surl
    ) pick
    WHERE r.surl = pick.surl
      AND NOT EXISTS (SELECT 1 FROM replicas m WHERE m.guid = pick.guid AND m.is_master)`.execute(trx);
}

export async function replicasBySurl(trx: Transaction<Database>, surls: readonly string[]): Promise<Map<string, Replica>> {
  if (surls.length === 0) return new Map();
  const rows: ReplicaRow[] = await trx.selectFrom('replicas').selectAll().where('surl', '=', anyText(surls)).execute();
  return new Map(rows.map((row) => [row.surl, toReplica(row)]));
}

/** Locks the files whose master may change, in GUID order: master decisions for a file go one at a time. */
export async function lockFiles(trx: Transaction<Database>, guids: readonly string[]): Promise<void> {
  if (guids.length === 0) return;
  await sql`SELECT id FROM entries WHERE guid = any(${[...new Set(guids)]}::uuid[]) ORDER BY guid FOR NO KEY UPDATE`.execute(trx);
}
