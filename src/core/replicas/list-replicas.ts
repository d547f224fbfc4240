import { sql } from 'kysely';
import type { ReplicaStatus } from '../../db/schema';
import { reading } from '../../db/transaction';
import { anyText, anyUuid } from '../../db/sql-helpers';
import { Access } from '../access/access';
import { checkBulkSize, type CatalogContext } from '../context';
import { toEntryHead, type EntryHead, type EntryHeadRow } from '../entry';
import { CatalogError } from '../errors';
import type { Guid } from '../names/guid';
import type { Surl } from '../names/surl';
import { parseItems } from '../parse-items';
import { ResultSlots, type Result } from '../result';
import { entryReader, HEAD_COLUMNS } from '../namespace/lookup';
import { parseFileTarget, resolveFileTargetsReading } from './file-target';
import { compareReplicas, type Replica } from './replica';

export interface ListReplicasItem {
  readonly lfn?: string;
  readonly guid?: string;
}

export interface FileReplicas {
  readonly guid: Guid;
  readonly replicas: readonly Replica[];
}

/** A file's replicas as the statement that finds the file reads them: surl, se, status, master, ctime and mtime in ms. */
type StoredReplica = readonly [string, string, ReplicaStatus, boolean, number, number];

/** An entry's head and, for a file, its replicas (null for other kinds). */
type HeadWithReplicas = EntryHead & { readonly replicas: readonly Replica[] | null };

// Milliseconds since the epoch, truncated as the timestamp parser truncates microseconds.
const REPLICAS = sql<StoredReplica[] | null>`CASE WHEN entries.kind = 'file' THEN (
    SELECT json_agg(json_build_array(r.surl, r.se, r.status, r.is_master,
                                     floor(extract(epoch FROM r.ctime) * 1000), floor(extract(epoch FROM r.mtime) * 1000)))
    FROM replicas r WHERE r.guid = entries.guid) END`.as('replicas');

/** Heads of entries with the replicas of files, in the statement that finds them: one round trip, not two. */
const HEADS_WITH_REPLICAS = entryReader<HeadWithReplicas>(
  async (db, lfns) => {
    const rows = await db.selectFrom('entries').select([...HEAD_COLUMNS, REPLICAS]).where('lfn', '=', anyText(lfns)).execute();
    return new Map(rows.map((row) => [row.lfn, withReplicas(row)]));
  },
  async (db, guids) => {
    const rows = await db.selectFrom('entries').select([...HEAD_COLUMNS, REPLICAS]).where('guid', '=', anyUuid(guids)).execute();
    return new Map(rows.map((row) => [row.guid ?? '', withReplicas(row)]));
  },
);

function withReplicas(row: EntryHeadRow & { readonly replicas: readonly StoredReplica[] | null }): HeadWithReplicas {
  const head = toEntryHead(row) as EntryHead & { replicas: readonly Replica[] | null };
  const guid = row.guid as Guid;
  head.replicas =
    row.replicas === null
      ? null
      : row.replicas.map(([surl, se, status, master, ctime, mtime]) => ({ guid, surl: surl as Surl, se, status, master, ctime: new Date(ctime), mtime: new Date(mtime) }));
  return head;
}

/**
 * The replicas of many files, read with them: one query finds the files (only what resolving names and
 * checking access needs of them) and their replicas, master first.
 */
export async function listReplicas(ctx: CatalogContext, items: readonly ListReplicasItem[]): Promise<Result<FileReplicas>[]> {
  checkBulkSize(ctx, items.length);
  const parsed = parseItems(items, parseFileTarget);
  const slots = new ResultSlots<FileReplicas>(items.length);
  const valid = parsed.flatMap((p, index) => (p instanceof CatalogError ? (slots.fail(index, p), []) : [{ index, target: p }]));
  await reading(async () => {
    const files = await resolveFileTargetsReading(HEADS_WITH_REPLICAS, ctx.db, valid.map((v) => v.target), new Access(ctx), 'read', 'list-replicas');
    valid.forEach((v, k) => {
      const file = files[k]!;
      if (!file.ok) return slots.fail(v.index, file.error);
      const replicas = file.value.replicas === null ? [] : [...file.value.replicas].sort(compareReplicas);
      slots.succeed(v.index, { guid: file.value.guid, replicas });
    });
  });
  return slots.toArray();
}
