import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../../db/schema';
import { reading } from '../../db/transaction';
import { Access } from '../access/access';
import { holdsRight } from '../access/rights-in-sql';
import type { CatalogContext } from '../context';
import { CatalogError, InvalidArgument, LimitExceeded } from '../errors';
import { parseInputName } from '../names/input-name';
import type { Lfn } from '../names/lfn';
import { parseSurl } from '../names/surl';
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
      const placement = placementFor(registry);
      const unsettledLfns: Lfn[] = [];
      for (const row of await rankNamed(db, ctx, [...lfns.keys()], [...guids.keys()], placement)) {
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
          for (const row of await rankGuids(db, [...extra], placement)) {
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
 * How a statement places replicas on SEs, chosen from the (small) registry before it is built:
 * - `host`: every registered prefix belongs to the SE its host falls back to anyway (the first SE of that
 *   host by name), as when each SE has its own host. Then a replica's SE follows from its host alone, so
 *   the statement counts per host and names the SE of each host on the few rows counted, never touching
 *   SURLs. Hosts and SEs correspond one to one here, so a file is still counted once per SE.
 * - `prefix`: prefixes decide, none inside another of its host: one hash join places every replica.
 * - `longest-prefix`: prefixes nest, the longest match wins: a lookup per replica.
 */
type Placement = 'host' | 'prefix' | 'longest-prefix';

function placementFor(registry: readonly StorageElement[]): Placement {
  const firstOfHost = new Map<string, string>();
  for (const se of [...registry].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!firstOfHost.has(se.host)) firstOfHost.set(se.host, se.name);
  }
  if (registry.every((se) => se.surlPrefixes.every((prefix) => firstOfHost.get(parseSurl(prefix).se) === se.name))) return 'host';
  return hasNestedPrefixes(registry) ? 'longest-prefix' : 'prefix';
}

/**
 * The CTEs that place the files of `visible` (guid, size) on SEs and count them per SE in `ranked` (se,
 * unregistered, files, bytes), one file once per SE however many of its SURLs are there. Only available
 * replicas count.
 */
function placeAndCount(placement: Placement): RawBuilder<unknown> {
  const seByHost = sql`se_by_host AS (SELECT DISTINCT ON (host) host, name FROM storage_elements ORDER BY host, name)`;
  if (placement === 'host') {
    return sql`
  ${seByHost},
  held AS (SELECT DISTINCT v.guid, v.size, r.se AS host FROM visible v JOIN replicas r ON r.guid = v.guid AND r.status = 'available'),
  ranked AS (
    SELECT COALESCE(hm.name, h.host) AS se, hm.name IS NULL AS unregistered, h.files, h.bytes
    FROM (SELECT host, count(*)::int8 AS files, COALESCE(sum(size), 0)::int8 AS bytes FROM held GROUP BY host) h
    LEFT JOIN se_by_host hm ON hm.host = h.host
  )`;
  }
  const prefixJoin =
    placement === 'longest-prefix'
      ? sql`LEFT JOIN LATERAL (
        SELECT q.se_name FROM storage_element_prefixes q
        WHERE q.host = r.se AND starts_with(r.surl, q.prefix)
        ORDER BY length(q.prefix) DESC LIMIT 1
      ) p ON true`
      : sql`LEFT JOIN storage_element_prefixes p ON p.host = r.se AND starts_with(r.surl, p.prefix)`;
  return sql`
  ${seByHost},
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
 * Many names as one text parameter, split in the database: LFNs cannot hold a line feed (parseLfn refuses
 * control characters) nor GUIDs a comma. pg writes a JavaScript array as an escaped, quoted literal,
 * which cost more for 100,000 names than looking them up; and as the parameter is known when the
 * statement is planned, string_to_array is evaluated then and unnest's row estimate is the true count.
 */
function nameList(values: readonly string[], type: 'text' | 'uuid'): RawBuilder<unknown> {
  return type === 'text' ? sql`string_to_array(${values.join('\n')}::text, E'\\n')` : sql`string_to_array(${values.join(',')}::text, ',')::uuid[]`;
}

/**
 * The one statement for the names as given. Each name is looked up once, with the caller's `read` right
 * in the join (`named`, `by_guid`): a name whose row comes back empty is missing (or, for an LFN, left to
 * the walk through links), with no second pass over the names. A file named by LFN and by GUID counts once.
 * The lookups are written as one index probe per name (a lateral subquery with LIMIT 1: lfn and guid are
 * unique): left to itself the planner hashed the whole entries table for 10,000 names of 200,000 files,
 * three times the probes' cost, and a real catalog is far larger than any job's input.
 * `execute` on every directory above a file is checked by generating each parent's ancestor paths and
 * probing them: a few index probes per directory of the input, where walking parent_id upwards would hash
 * the whole table at each level.
 */
async function rankNamed(db: Queryable, ctx: CatalogContext, lfns: readonly string[], guids: readonly string[], placement: Placement): Promise<RankRow[]> {
  const readable = holdsRight(ctx, 'read', 'e');
  const traversable = holdsRight(ctx, 'execute', 'd');
  const mayRead = readable === undefined ? sql`` : sql`AND ${readable}`;
  // Without checks (an administrator, or checks disabled) every file named is visible.
  const checked = readable !== undefined && traversable !== undefined;
  const found = sql`
    named AS (
      SELECT w.n, e.guid, e.size, e.parent_id FROM unnest(${nameList(lfns, 'text')}) AS w(n)
      LEFT JOIN LATERAL (SELECT e.guid, e.size, e.parent_id FROM entries e WHERE e.lfn = w.n AND e.kind = 'file' ${mayRead} LIMIT 1) e ON true
    ),
    by_guid AS (
      SELECT w.g, e.guid, e.size, e.parent_id FROM unnest(${nameList(guids, 'uuid')}) AS w(g)
      LEFT JOIN LATERAL (SELECT e.guid, e.size, e.parent_id FROM entries e WHERE e.guid = w.g ${mayRead} LIMIT 1) e ON true
    ),
    found AS (
      SELECT guid, size, parent_id FROM named WHERE guid IS NOT NULL
      UNION ALL
      SELECT guid, size, parent_id FROM by_guid g WHERE g.guid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM named l WHERE l.guid = g.guid)
    )`;
  const visible: RawBuilder<unknown> = !checked
    ? sql`${found}, visible AS (SELECT guid, size FROM found)`
    : sql`${found},
        parents AS (SELECT d.id, d.lfn FROM entries d WHERE d.id IN (SELECT DISTINCT parent_id FROM found)),
        ancestry AS (
          SELECT p.id AS origin,
                 CASE WHEN k = 0 THEN '/' ELSE '/' || array_to_string((string_to_array(substr(p.lfn, 2), '/'))[1:k], '/') END AS path
          FROM parents p,
               generate_series(0, CASE WHEN p.lfn = '/' THEN 0 ELSE cardinality(string_to_array(substr(p.lfn, 2), '/')) END) AS k
        ),
        -- The paths as an array: a join with the CTE, whose size the planner cannot know, hashed every entry.
        blocked AS (
          SELECT DISTINCT a.origin FROM ancestry a
          WHERE a.path IN (SELECT d.lfn FROM entries d WHERE d.lfn = any(ARRAY(SELECT DISTINCT path FROM ancestry)) AND NOT (${traversable}))
        ),
        visible AS (SELECT guid, size FROM found WHERE parent_id NOT IN (SELECT origin FROM blocked))`;
  const hidden = checked ? sql`OR parent_id IN (SELECT origin FROM blocked)` : sql``;
  const result = await sql<RankRow>`
    WITH
    ${visible},
    ${placeAndCount(placement)}
    ${RANK_ROWS}
    UNION ALL
    SELECT 'lfn', n, NULL, NULL, NULL FROM named WHERE guid IS NULL ${hidden}
    UNION ALL
    SELECT 'guid', g::text, NULL, NULL, NULL FROM by_guid WHERE guid IS NULL ${hidden}`.execute(db);
  return result.rows;
}

/** The same counts for files already found and checked (reached through links). */
async function rankGuids(db: Queryable, guids: readonly string[], placement: Placement): Promise<RankRow[]> {
  const result = await sql<RankRow>`
    WITH
    visible AS (SELECT e.guid, e.size FROM entries e WHERE e.guid = any(${nameList(guids, 'uuid')})),
    ${placeAndCount(placement)}
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
 * without JIT compilation, costing index probes as the cached reads they are, and without merge joins.
 */
async function inRankSnapshot<T>(ctx: CatalogContext, work: (db: Queryable) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return work(ctx.db);
  return ctx.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      // One round trip for the settings, each local to this transaction:
      // - work_mem: 100,000 names hash a few hundred thousand rows; at the default 4 MB they sort on disk;
      // - jit: compiling the plan took 116 ms of a 378 ms query in one measurement, more than it saved;
      // - random_page_cost: the indexes a rank probes are hot in memory; at the default cost of 4 (a spinning
      //   disk) 10,000 names hash every replica instead of probing 25,000 (2.4× slower, measured);
      // - enable_mergejoin: at that cost, large inputs were merged with a full index scan of the replicas in GUID
      //   order, fetching the heap at random (210,000 names on 1,000,000 files: 7.9 s of CPU; hashed: 2.5 s).
      await sql`SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true), set_config('random_page_cost', '1.1', true), set_config('enable_mergejoin', 'off', true)`.execute(trx);
      return work(trx);
    });
}
