import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../../db/schema';
import { reading } from '../../db/transaction';
import { Access } from '../access/access';
import { holdsRight } from '../access/rights-in-sql';
import type { CatalogContext } from '../context';
import { CatalogError, InvalidArgument, LimitExceeded } from '../errors';
import { parseInputName } from '../names/input-name';
import type { Lfn } from '../names/lfn';
import { ENTRY_HEADS } from '../namespace/lookup';
import { resolveFileTargetsReading } from '../replicas/file-target';
import { readStorageElements } from './read-storage-elements';
import type { StorageElement } from './storage-element';

/** The most names one rank request may carry (REPLICAT_RANK_MAX_NAMES overrides it). */
export const DEFAULT_MAX_RANK_NAMES = 1_000_000;
const MAX_PROTOCOLS = 32;
const SCHEME = /^[a-z][a-z0-9+.-]{0,31}$/;

export interface RankRequest {
  /** The job's input files: `lfn:/…`, `/…`, `guid:…` or bare GUIDs. */
  readonly names: readonly string[];
  /** The protocols the job can read with, best first; absent: any. */
  readonly protocols?: readonly string[];
}

export interface RankedStorageElement {
  /** The registered SE's name, or the SURL host for an unregistered one. */
  readonly se: string;
  readonly host: string;
  readonly registered: boolean;
  /** `unknown` for an unregistered SE: nothing says it is down, so it is ranked as usable. */
  readonly status: 'online' | 'readonly' | 'offline' | 'unknown';
  readonly nearline: boolean;
  /** Distinct input files with an available replica there. */
  readonly files: number;
  /** Their sizes added up (files of unknown size count 0). */
  readonly bytes: number;
  /** files / the job's input files (found files plus names that named none). */
  readonly fraction: number;
  /** Schemes the job can use there: in the job's order when it gave protocols, else the SE's. */
  readonly protocols: readonly string[];
}

export interface Ranking {
  /** Best first: usable SEs (not offline) before offline ones, then most files, most bytes, name. */
  readonly ses: readonly RankedStorageElement[];
  /** Distinct files found among the names (and readable by the caller). */
  readonly files: number;
  /**
   * Names that lead to no file the caller may read: unknown, forbidden (never told apart, so the answer
   * leaks nothing), directories, dangling links. Each distinct name once, as first spelled.
   */
  readonly missing: readonly string[];
  /** Names that are neither an LFN nor a GUID, with the reason. */
  readonly invalid: readonly { readonly name: string; readonly error: CatalogError }[];
}

interface RankRow {
  kind: 'se' | 'found' | 'lfn' | 'guid';
  value: string | null;
  unregistered: boolean | null;
  files: number | string | null;
  bytes: number | string | null;
}

/**
 * The broker's question: given a job's input files, which storage elements hold how much of them. One
 * set-based statement resolves the names, checks read rights (on the file and `execute` on every
 * directory above it, in SQL), places each available replica on its SE (longest registered SURL prefix,
 * else the registered SE of its host, else the host: see storage-directory.ts) and counts per SE; only
 * names that statement cannot settle directly (links, paths through links) are walked, and the files they
 * reach are counted by a second, small statement.
 *
 * ```ts
 * await rankStorageElements(ctx, { names: ['lfn:/grid/vo/a.root', 'guid:6f1c…'], protocols: ['root', 'https'] })
 * ```
 */
export async function rankStorageElements(ctx: CatalogContext, request: RankRequest): Promise<Ranking> {
  const limit = ctx.limits.maxRankNames ?? DEFAULT_MAX_RANK_NAMES;
  if (request.names.length > limit) throw new LimitExceeded(`too many names: ${request.names.length} (the limit is ${limit} per rank request)`);
  const protocols = parseJobProtocols(request.protocols);

  // Each distinct name once, keyed as stored (an LFN normalized, a GUID bare and lower case).
  const lfns = new Map<string, string>();
  const guids = new Map<string, string>();
  const invalid: { name: string; error: CatalogError }[] = [];
  for (const name of request.names) {
    let target;
    try {
      target = parseInputName(name);
    } catch (error) {
      invalid.push({ name: String(name), error: error instanceof CatalogError ? error : new InvalidArgument('not a name') });
      continue;
    }
    if (target.by === 'lfn') {
      if (!lfns.has(target.lfn)) lfns.set(target.lfn, name);
    } else if (!guids.has(target.guid)) guids.set(target.guid, name);
  }

  const counts = new Map<string, { se: string; unregistered: boolean; files: number; bytes: number }>();
  const addCount = (row: RankRow) => {
    const key = `${row.unregistered ? 'u' : 'r'}:${row.value}`;
    const known = counts.get(key) ?? { se: row.value ?? '', unregistered: row.unregistered === true, files: 0, bytes: 0 };
    known.files += Number(row.files);
    known.bytes += Number(row.bytes);
    counts.set(key, known);
  };
  let found = 0;
  const missing: string[] = [];
  const registry = await reading(() =>
    inRankSnapshot(ctx, async (db) => {
      const registry = await readStorageElements(db);
      const nested = hasNestedPrefixes(registry);
      const unsettledLfns: Lfn[] = [];
      for (const row of await rankNamed(db, ctx, [...lfns.keys()], [...guids.keys()], nested)) {
        if (row.kind === 'se') addCount(row);
        else if (row.kind === 'found') found = Number(row.files);
        else if (row.kind === 'lfn') unsettledLfns.push(row.value as Lfn);
        else missing.push(guids.get(row.value ?? '') ?? String(row.value));
      }
      // LFNs that are not plainly a readable file: links, paths through links, or really missing. Files they
      // reach that no name already counted are counted now.
      if (unsettledLfns.length > 0) {
        const resolved = await resolveFileTargetsReading(ENTRY_HEADS, db, unsettledLfns.map((lfn) => ({ by: 'lfn', lfn })), new Access({ ...ctx, db }), 'read', 'rank');
        const extra = new Set<string>();
        resolved.forEach((result, i) => {
          if (!result.ok) return missing.push(lfns.get(unsettledLfns[i]!) ?? unsettledLfns[i]!);
          const file = result.value;
          if (!lfns.has(file.lfn) && !guids.has(file.guid)) extra.add(file.guid);
        });
        if (extra.size > 0) {
          for (const row of await rankGuids(db, [...extra], nested)) {
            if (row.kind === 'se') addCount(row);
            else if (row.kind === 'found') found += Number(row.files);
          }
        }
      }
      return registry;
    }),
  );

  const wanted = found + missing.length;
  const byName = new Map(registry.map((se) => [se.name, se]));
  const ses: RankedStorageElement[] = [];
  for (const count of counts.values()) {
    const se = count.unregistered ? undefined : byName.get(count.se);
    const usable = usableProtocols(se, protocols);
    if (usable === null) continue;
    ses.push({
      se: count.se,
      host: se?.host ?? count.se,
      registered: se !== undefined,
      status: se?.status ?? 'unknown',
      nearline: se?.nearline ?? false,
      files: count.files,
      bytes: count.bytes,
      fraction: wanted === 0 ? 0 : count.files / wanted,
      protocols: usable,
    });
  }
  ses.sort(compareRanked);
  return { ses, files: found, missing, invalid };
}

function parseJobProtocols(input: readonly string[] | undefined): readonly string[] | undefined {
  if (input === undefined) return undefined;
  if (input.length > MAX_PROTOCOLS) throw new InvalidArgument(`at most ${MAX_PROTOCOLS} protocols`);
  for (const scheme of input) {
    if (typeof scheme !== 'string' || !SCHEME.test(scheme)) throw new InvalidArgument(`a protocol is a lower-case URL scheme such as https or root: ${JSON.stringify(scheme)}`);
  }
  return [...new Set(input)];
}

/**
 * The schemes a job can use on an SE, or null when it can use none (the SE is then left out). An
 * unregistered SE has no known protocols: it is listed only when the job names none.
 */
function usableProtocols(se: StorageElement | undefined, wanted: readonly string[] | undefined): string[] | null {
  const offered = (se?.protocols ?? []).map((p) => p.scheme);
  if (wanted === undefined) return offered;
  const usable = wanted.filter((scheme) => offered.includes(scheme));
  return usable.length === 0 ? null : usable;
}

function compareRanked(a: RankedStorageElement, b: RankedStorageElement): number {
  const down = Number(a.status === 'offline') - Number(b.status === 'offline');
  return down || b.files - a.files || b.bytes - a.bytes || (a.se < b.se ? -1 : a.se > b.se ? 1 : Number(a.registered) - Number(b.registered));
}

/**
 * The CTEs that place the files of `visible` (id, guid, size, lfn) on SEs and count them per SE, one file
 * once per SE however many of its SURLs are there. Only available replicas count. When no registered
 * prefix lies inside another of the same host, a SURL matches at most one prefix and a hash join places
 * every replica at once; nested prefixes need the longest match per replica, a lookup per row.
 */
function placeAndCount(nestedPrefixes: boolean): RawBuilder<unknown> {
  const prefixJoin = nestedPrefixes
    ? sql`LEFT JOIN LATERAL (
        SELECT q.se_name FROM storage_element_prefixes q
        WHERE q.host = r.se AND starts_with(r.surl, q.prefix)
        ORDER BY length(q.prefix) DESC LIMIT 1
      ) p ON true`
    : sql`LEFT JOIN storage_element_prefixes p ON p.host = r.se AND starts_with(r.surl, p.prefix)`;
  return sql`
  se_by_host AS (SELECT DISTINCT ON (host) host, name FROM storage_elements ORDER BY host, name),
  placed AS (
    SELECT DISTINCT v.guid, v.size, COALESCE(p.se_name, hm.name, r.se) AS se, (p.se_name IS NULL AND hm.name IS NULL) AS unregistered
    FROM visible v
    JOIN replicas r ON r.guid = v.guid AND r.status = 'available'
    ${prefixJoin}
    LEFT JOIN se_by_host hm ON hm.host = r.se
  ),
  ranked AS (
    SELECT se, unregistered, count(*)::int8 AS files, COALESCE(sum(size), 0)::int8 AS bytes FROM placed GROUP BY se, unregistered
  )`;
}

const RANK_ROWS = sql`
  SELECT 'se' AS kind, se AS value, unregistered, files, bytes FROM ranked
  UNION ALL
  SELECT 'found', NULL, NULL, count(*)::int8, NULL FROM visible`;

/**
 * The one statement for the names as given. The names go in as two array parameters (`= any(...)` is one
 * index scan for all of them, and its row estimate is the array's length, so the planner sizes the joins
 * that follow right); the LFN array goes in a second time to list the names that found nothing.
 */
async function rankNamed(db: Queryable, ctx: CatalogContext, lfns: readonly string[], guids: readonly string[], nestedPrefixes: boolean): Promise<RankRow[]> {
  const readable = holdsRight(ctx, 'read', 'e');
  const traversable = holdsRight(ctx, 'execute', 'd');
  const named = sql`(e.lfn = any(${lfns}::text[]) AND e.kind = 'file') OR e.guid = any(${guids}::uuid[])`;
  // Without checks (an administrator, or checks disabled) every file named is visible.
  const visible: RawBuilder<unknown> =
    readable === undefined || traversable === undefined
      ? sql`visible AS (SELECT e.id, e.guid, e.size, e.lfn FROM entries e WHERE ${named})`
      : sql`
        files AS (SELECT e.id, e.guid, e.size, e.lfn, e.parent_id FROM entries e WHERE (${named}) AND ${readable}),
        parents AS (SELECT d.id, d.lfn FROM entries d WHERE d.id IN (SELECT DISTINCT parent_id FROM files)),
        -- Every directory from the root down to each parent, by path: a few index probes per directory of
        -- the input, where walking parent_id upwards would hash the whole table at each level.
        ancestry AS (
          SELECT p.id AS origin,
                 CASE WHEN k = 0 THEN '/' ELSE '/' || array_to_string((string_to_array(substr(p.lfn, 2), '/'))[1:k], '/') END AS path
          FROM parents p,
               generate_series(0, CASE WHEN p.lfn = '/' THEN 0 ELSE cardinality(string_to_array(substr(p.lfn, 2), '/')) END) AS k
        ),
        blocked AS (SELECT DISTINCT a.origin FROM ancestry a JOIN entries d ON d.lfn = a.path WHERE NOT (${traversable})),
        visible AS (
          SELECT f.id, f.guid, f.size, f.lfn FROM files f
          WHERE NOT EXISTS (SELECT 1 FROM blocked b WHERE b.origin = f.parent_id)
        )`;
  const result = await sql<RankRow>`
    WITH
    ${visible},
    ${placeAndCount(nestedPrefixes)}
    ${RANK_ROWS}
    UNION ALL
    SELECT 'lfn', w.n, NULL, NULL, NULL FROM unnest(${lfns}::text[]) AS w(n) WHERE NOT EXISTS (SELECT 1 FROM visible v WHERE v.lfn = w.n)
    UNION ALL
    SELECT 'guid', w.g::text, NULL, NULL, NULL FROM unnest(${guids}::uuid[]) AS w(g) WHERE NOT EXISTS (SELECT 1 FROM visible v WHERE v.guid = w.g)`.execute(db);
  return result.rows;
}

/** The same counts for files already found and checked (reached through links). */
async function rankGuids(db: Queryable, guids: readonly string[], nestedPrefixes: boolean): Promise<RankRow[]> {
  const result = await sql<RankRow>`
    WITH
    visible AS (SELECT e.id, e.guid, e.size, e.lfn FROM entries e WHERE e.guid = any(${guids}::uuid[])),
    ${placeAndCount(nestedPrefixes)}
    ${RANK_ROWS}`.execute(db);
  return result.rows;
}

/** Does a registered prefix lie inside another one of the same host? */
function hasNestedPrefixes(registry: readonly StorageElement[]): boolean {
  const prefixes = registry.flatMap((se) => se.surlPrefixes).sort();
  // Sorted, a prefix is immediately followed by the strings it is a prefix of (or by ones sharing it).
  return prefixes.some((p, i) => i + 1 < prefixes.length && prefixes[i + 1]!.startsWith(p));
}

/**
 * Runs the rank statements in one read-only snapshot, with room to hash a few hundred thousand rows in
 * memory rather than sorting them on disk (the default work_mem of 4 MB spills at 100,000 names),
 * without JIT compilation, and costing index probes as the cached reads they are.
 */
async function inRankSnapshot<T>(ctx: CatalogContext, work: (db: Queryable) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return work(ctx.db);
  return ctx.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      // One round trip for the three settings, each local to this transaction:
      // - work_mem: 100,000 names hash a few hundred thousand rows; at the default 4 MB they sort on disk;
      // - jit: compiling the plan took 116 ms of a 378 ms query in one measurement, more than it saved;
      // - random_page_cost: the indexes a rank probes are hot in memory; at the default cost of 4 (a spinning
      //   disk) 10,000 names hash every replica instead of probing 25,000 (2.4× slower, measured).
      await sql`SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true), set_config('random_page_cost', '1.1', true)`.execute(trx);
      return work(trx);
    });
}
