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
import type { Replica } from './replica';

export interface ListReplicasItem {
  readonly lfn?: string;
  readonly guid?: string;
}

/** A file's replicas, master first, then by registration (`compareReplicas`). */
export interface FileReplicas {
  readonly guid: Guid;
  readonly replicas: readonly Replica[];
  /**
   * The same replicas as the JSON array the REST face answers with (the fields of `replicaJson`, in its
   * order), rendered by the database in the statement that read them. A bulk answer copies it as is.
   */
  readonly replicasJson: string;
}

/**
 * Replicas kept as the database rendered them; objects are made only for a caller that asks (SOAP, the
 * storage index). Resolving 10,000 LFNs used to parse every replica into objects and Dates only for REST
 * to write the same fields back as text: a third of the service's time, half of it garbage collection.
 */
class RenderedReplicas implements FileReplicas {
  #replicas: readonly Replica[] | undefined;

  constructor(
    readonly guid: Guid,
    readonly replicasJson: string,
  ) {}

  get replicas(): readonly Replica[] {
    this.#replicas ??= (JSON.parse(this.replicasJson) as RenderedReplica[]).map((r) => ({
      guid: this.guid,
      surl: r.surl as Surl,
      se: r.se,
      status: r.status,
      master: r.master,
      ctime: new Date(r.ctime),
      mtime: new Date(r.mtime),
    }));
    return this.#replicas;
  }
}

interface RenderedReplica {
  readonly surl: string;
  readonly se: string;
  readonly status: ReplicaStatus;
  readonly master: boolean;
  readonly ctime: string;
  readonly mtime: string;
}

/** An entry's head and, for a file, its replicas as JSON text (null for other kinds). */
type HeadWithReplicas = EntryHead & { readonly replicas: string | null };

// Times as toISOString writes them: UTC, milliseconds truncated (to_char's MS truncates, as the timestamp
// parser does). Ordered as compareReplicas orders: master, then ctime to the millisecond, then SURL.
const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const REPLICAS = sql<string | null>`CASE WHEN entries.kind = 'file' THEN (
    SELECT '[' || coalesce(string_agg(
      '{"surl":' || to_json(r.surl)::text || ',"se":' || to_json(r.se)::text || ',"status":"' || r.status ||
      '","master":' || r.is_master::text ||
      ',"ctime":"' || to_char(r.ctime AT TIME ZONE 'UTC', ${sql.raw(ISO_MS)}) ||
      '","mtime":"' || to_char(r.mtime AT TIME ZONE 'UTC', ${sql.raw(ISO_MS)}) || '"}',
      ',' ORDER BY r.is_master DESC, date_trunc('milliseconds', r.ctime), r.surl), '') || ']'
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

function withReplicas(row: EntryHeadRow & { readonly replicas: string | null }): HeadWithReplicas {
  const head = toEntryHead(row) as EntryHead & { replicas: string | null };
  head.replicas = row.replicas;
  return head;
}

/**
 * The replicas of many files, read with them: one query finds the files (only what resolving names and
 * checking access needs of them) and their replicas, master first, as JSON text.
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
      slots.succeed(v.index, new RenderedReplicas(file.value.guid, file.value.replicas ?? '[]'));
    });
  });
  return slots.toArray();
}
