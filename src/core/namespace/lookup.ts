import { sql } from 'kysely';
import type { Queryable } from '../../db/schema';
import { PrecompiledQuery } from '../../db/precompiled';
import { anyText, anyUuid } from '../../db/sql-helpers';
import { toEntry, toEntryHead, type Entry, type EntryHead } from '../entry';

/**
 * Lookups of at most this many names, outside a transaction, may share one statement with the other
 * such lookups asked for in the same turn of the event loop. Bulk lookups amortize their statement
 * already; small ones (a single-item stat: the name and its two ancestors) are where a round trip per
 * request, and a pool connection per request, dominate.
 */
const SHARED_LOOKUP_MAX_NAMES = 64;

/** The ACL as its JSON text, which `fromStoredAcl` parses once per distinct text rather than once per row. */
const ACL_TEXT = sql<string>`acl::text`.as('acl');

/** The columns an `EntryHead` is built from: half a row, and none of its timestamps. */
export const HEAD_COLUMNS = ['id', 'lfn', 'kind', 'guid', 'target', 'owner_dn', 'group_name', 'perm_owner', 'perm_group', 'perm_other', ACL_TEXT] as const;

/** Every column of an entry, the ACL as text (see `fromStoredAcl`). */
export const ENTRY_COLUMNS = [
  'id',
  'parent_id',
  'lfn',
  'name',
  'kind',
  'guid',
  'target',
  'size',
  'checksum_type',
  'checksum',
  'status',
  'owner_dn',
  'group_name',
  'ctime',
  'mtime',
  'validity',
  'perm_owner',
  'perm_group',
  'perm_other',
  ACL_TEXT,
] as const;

/**
 * How a walk reads entries, by LFN and by GUID: whole (`WHOLE_ENTRIES`), or only what resolving names and
 * deciding access need (`ENTRY_HEADS`), for callers that want no more of the entry than its GUID.
 */
export interface EntryReader<E extends EntryHead> {
  byLfn(db: Queryable, lfns: readonly string[]): Promise<Map<string, E>>;
  byGuid(db: Queryable, guids: readonly string[]): Promise<Map<string, E>>;
}

export const WHOLE_ENTRIES: EntryReader<Entry> = { byLfn: entriesByLfn, byGuid: filesByGuid };

/**
 * A reader from two queries (by a list of LFNs, by a list of GUIDs), whose small lookups by LFN share
 * statements like every other (see `SharedLookups`).
 */
export function entryReader<E extends EntryHead>(byLfn: LfnQuery<E>, byGuid: EntryReader<E>['byGuid']): EntryReader<E> {
  return { byLfn: (db, lfns) => lookUp(db, lfns, byLfn), byGuid: (db, guids) => (guids.length === 0 ? Promise.resolve(new Map()) : byGuid(db, guids)) };
}

// The statements of the lookups below, compiled once (see `PrecompiledQuery`): each stands for a list of names or GUIDs.
const ENTRIES_BY_LFN = new PrecompiledQuery((db, lfns: readonly string[]) => db.selectFrom('entries').select(ENTRY_COLUMNS).where('lfn', '=', anyText(lfns)), [[]]);
const ENTRIES_BY_GUID = new PrecompiledQuery((db, guids: readonly string[]) => db.selectFrom('entries').select(ENTRY_COLUMNS).where('guid', '=', anyUuid(guids)), [[]]);
const HEADS_BY_LFN = new PrecompiledQuery((db, lfns: readonly string[]) => db.selectFrom('entries').select(HEAD_COLUMNS).where('lfn', '=', anyText(lfns)), [[]]);
const HEADS_BY_GUID = new PrecompiledQuery((db, guids: readonly string[]) => db.selectFrom('entries').select(HEAD_COLUMNS).where('guid', '=', anyUuid(guids)), [[]]);

export const ENTRY_HEADS: EntryReader<EntryHead> = {
  byLfn: (db, lfns) => lookUp(db, lfns, queryHeadsByLfn),
  async byGuid(db, guids) {
    if (guids.length === 0) return new Map();
    const rows = await HEADS_BY_GUID.execute(db, guids);
    return new Map(rows.map((row) => [row.guid ?? '', toEntryHead(row)]));
  },
};

/** One query for any number of LFNs; the map is keyed by LFN. */
export async function entriesByLfn(db: Queryable, lfns: readonly string[]): Promise<Map<string, Entry>> {
  return lookUp(db, lfns, queryEntriesByLfn);
}

/** One query for any number of GUIDs; the map is keyed by GUID. */
export async function filesByGuid(db: Queryable, guids: readonly string[]): Promise<Map<string, Entry>> {
  if (guids.length === 0) return new Map();
  const rows = await ENTRIES_BY_GUID.execute(db, guids);
  return new Map(rows.map((row) => [row.guid ?? '', toEntry(row)]));
}

export type LfnQuery<E> = (db: Queryable, lfns: readonly string[]) => Promise<Map<string, E>>;

async function queryEntriesByLfn(db: Queryable, lfns: readonly string[]): Promise<Map<string, Entry>> {
  const rows = await ENTRIES_BY_LFN.execute(db, lfns);
  return new Map(rows.map((row) => [row.lfn, toEntry(row)]));
}

async function queryHeadsByLfn(db: Queryable, lfns: readonly string[]): Promise<Map<string, EntryHead>> {
  const rows = await HEADS_BY_LFN.execute(db, lfns);
  return new Map(rows.map((row) => [row.lfn, toEntryHead(row)]));
}

function lookUp<E>(db: Queryable, lfns: readonly string[], query: LfnQuery<E>): Promise<Map<string, E>> {
  if (lfns.length === 0) return Promise.resolve(new Map());
  if (!db.isTransaction && lfns.length <= SHARED_LOOKUP_MAX_NAMES) return sharedLookups(db, query).byLfn(lfns);
  return query(db, lfns);
}

interface WaitingLookup<E> {
  readonly lfns: readonly string[];
  resolve(found: Map<string, E>): void;
  reject(error: unknown): void;
}

/**
 * Small lookups made at the same moment, answered by one statement (`setImmediate`: everything the
 * current turn of the event loop asked for). Each caller gets exactly the names it asked for, read by
 * a statement that started after it asked, so it sees every commit that preceded its request, as its
 * own statement would; a failure of the statement is every caller's failure.
 */
class SharedLookups<E> {
  readonly #db: Queryable;
  readonly #query: LfnQuery<E>;
  #waiting: WaitingLookup<E>[] = [];

  constructor(db: Queryable, query: LfnQuery<E>) {
    this.#db = db;
    this.#query = query;
  }

  byLfn(lfns: readonly string[]): Promise<Map<string, E>> {
    return new Promise((resolve, reject) => {
      if (this.#waiting.length === 0) setImmediate(() => void this.#answer());
      this.#waiting.push({ lfns, resolve, reject });
    });
  }

  async #answer(): Promise<void> {
    const waiting = this.#waiting;
    this.#waiting = [];
    if (waiting.length === 1) {
      const only = waiting[0]!;
      return this.#query(this.#db, only.lfns).then(only.resolve, only.reject);
    }
    const names = new Set<string>();
    for (const w of waiting) for (const lfn of w.lfns) names.add(lfn);
    let found: Map<string, E>;
    try {
      found = await this.#query(this.#db, [...names]);
    } catch (error) {
      for (const w of waiting) w.reject(error);
      return;
    }
    for (const w of waiting) {
      const own = new Map<string, E>();
      for (const lfn of w.lfns) {
        const entry = found.get(lfn);
        if (entry !== undefined) own.set(lfn, entry);
      }
      w.resolve(own);
    }
  }
}

const shared = new WeakMap<Queryable, Map<LfnQuery<unknown>, SharedLookups<unknown>>>();

function sharedLookups<E>(db: Queryable, query: LfnQuery<E>): SharedLookups<E> {
  let byQuery = shared.get(db);
  if (byQuery === undefined) {
    byQuery = new Map();
    shared.set(db, byQuery);
  }
  let lookups = byQuery.get(query as LfnQuery<unknown>) as SharedLookups<E> | undefined;
  if (lookups === undefined) {
    lookups = new SharedLookups(db, query);
    byQuery.set(query as LfnQuery<unknown>, lookups as SharedLookups<unknown>);
  }
  return lookups;
}
