import type { Queryable } from '../../db/schema';
import { anyText, anyUuid } from '../../db/sql-helpers';
import { toEntry, type Entry } from '../entry';

/**
 * Lookups of at most this many names, outside a transaction, may share one statement with the other
 * such lookups asked for in the same turn of the event loop. Bulk lookups amortize their statement
 * already; small ones (a single-item stat: the name and its two ancestors) are where a round trip per
 * request, and a pool connection per request, dominate.
 */
const SHARED_LOOKUP_MAX_NAMES = 64;

/** One query for any number of LFNs; the map is keyed by LFN. */
export async function entriesByLfn(db: Queryable, lfns: readonly string[]): Promise<Map<string, Entry>> {
  if (lfns.length === 0) return new Map();
  if (!db.isTransaction && lfns.length <= SHARED_LOOKUP_MAX_NAMES) return sharedLookups(db).entriesByLfn(lfns);
  return queryEntriesByLfn(db, lfns);
}

async function queryEntriesByLfn(db: Queryable, lfns: readonly string[]): Promise<Map<string, Entry>> {
  const rows = await db.selectFrom('entries').selectAll().where('lfn', '=', anyText(lfns)).execute();
  return new Map(rows.map((row) => [row.lfn, toEntry(row)]));
}

/** One query for any number of GUIDs; the map is keyed by GUID. */
export async function filesByGuid(db: Queryable, guids: readonly string[]): Promise<Map<string, Entry>> {
  if (guids.length === 0) return new Map();
  const rows = await db.selectFrom('entries').selectAll().where('guid', '=', anyUuid(guids)).execute();
  return new Map(rows.map((row) => [row.guid ?? '', toEntry(row)]));
}

interface WaitingLookup {
  readonly lfns: readonly string[];
  resolve(found: Map<string, Entry>): void;
  reject(error: unknown): void;
}

/**
 * Small lookups made at the same moment, answered by one statement (`setImmediate`: everything the
 * current turn of the event loop asked for). Each caller gets exactly the names it asked for, read by
 * a statement that started after it asked, so it sees every commit that preceded its request, as its
 * own statement would; a failure of the statement is every caller's failure.
 */
class SharedLookups {
  readonly #db: Queryable;
  #waiting: WaitingLookup[] = [];

  constructor(db: Queryable) {
    this.#db = db;
  }

  entriesByLfn(lfns: readonly string[]): Promise<Map<string, Entry>> {
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
      return queryEntriesByLfn(this.#db, only.lfns).then(only.resolve, only.reject);
    }
    const names = new Set<string>();
    for (const w of waiting) for (const lfn of w.lfns) names.add(lfn);
    let found: Map<string, Entry>;
    try {
      found = await queryEntriesByLfn(this.#db, [...names]);
    } catch (error) {
      for (const w of waiting) w.reject(error);
      return;
    }
    for (const w of waiting) {
      const own = new Map<string, Entry>();
      for (const lfn of w.lfns) {
        const entry = found.get(lfn);
        if (entry !== undefined) own.set(lfn, entry);
      }
      w.resolve(own);
    }
  }
}

const shared = new WeakMap<Queryable, SharedLookups>();

function sharedLookups(db: Queryable): SharedLookups {
  let lookups = shared.get(db);
  if (lookups === undefined) {
    lookups = new SharedLookups(db);
    shared.set(db, lookups);
  }
  return lookups;
}
