import { createHash } from 'node:crypto';
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { EntryKind, Queryable } from '../../db/schema';
import { reading } from '../../db/transaction';
import type { CatalogContext } from '../context';
import { decodeCursor, encodeCursor, pageSize } from '../cursor';
import { toEntry, type Entry } from '../entry';
import { InvalidArgument, NotADirectory } from '../errors';
import { parseLfn, ROOT, type Lfn } from '../names/lfn';
import type { Page } from '../namespace/list-directory';
import { resolvePaths } from '../namespace/resolve';
import { Access } from '../access/access';
import { attributesByName } from './attribute-definitions';
import { attributeNames } from './query/ast';
import { compileQuery, exactMatchIds, startsFromIndex } from './query/compile-query';
import { parseQuery } from './query/parser';
import { checkQueryLimits, MAX_SCANNED_ENTRIES } from './query/query-limits';
import { typeCheck } from './query/type-check';
import { inheritableValues, visibleEntries } from './query/visible-entries';

export interface QueryRequest {
  /** The query text, e.g. `run > 1000 AND detector = 'tpc'` (docs/query.md). */
  readonly query: string;
  /** Only entries strictly below this directory (an LFN index range). */
  readonly under?: string;
  /** Match on effective values: an entry's own, else its nearest ancestor directory's. */
  readonly inherit?: boolean;
  /** Only entries of this kind. */
  readonly kind?: EntryKind;
}

export interface QueryPageOptions {
  readonly limit?: number;
  readonly cursor?: string;
}

const KINDS: readonly EntryKind[] = ['directory', 'file', 'symlink'];

export interface PreparedQuery {
  readonly where: RawBuilder<SqlBool>;
  /** Names the query (text and options) in cursors, so a cursor cannot be replayed on another query. */
  readonly scope: string;
  /** The matching ids from the values indexes alone, when nothing else (scope, kind, visibility) filters. */
  readonly matchIds: RawBuilder<unknown> | undefined;
}

/**
 * Entries matching a metadata query, one page at a time in byte order of LFN (keyset pagination: every
 * page costs the same). An invalid query is `InvalidArgument` naming the column of the problem.
 *
 * ```ts
 * await queryEntries(ctx, { query: "run >= 1000 AND quality = 'good'", under: '/grid/vo/2024' }, { limit: 100 })
 * ```
 */
export async function queryEntries(ctx: CatalogContext, request: QueryRequest, options: QueryPageOptions = {}): Promise<Page<Entry>> {
  const limit = pageSize(options.limit, ctx.limits.defaultPageSize, ctx.limits.maxPageSize);
  const prepared = await prepareQuery(ctx, request);
  const after = options.cursor === undefined ? null : decodeCursor(ctx, options.cursor, prepared.scope);
  const items = await readMatches(ctx, prepared, after, limit + 1);
  const page = items.slice(0, limit);
  const last = page.at(-1);
  // Visibility is part of the statement's filter, so the last row read is one the caller may see.
  return { items: page, next: items.length > limit && last ? encodeCursor(ctx, prepared.scope, last.lfn) : null };
}

/** How many entries match, without reading them. */
export async function countEntries(ctx: CatalogContext, request: QueryRequest): Promise<number> {
  const prepared = await prepareQuery(ctx, request);
  const row = await reading(() => countMatches(ctx.db, prepared).executeTakeFirstOrThrow());
  return Number(row.n);
}

/**
 * Every matching entry, read page by page as the consumer pulls, so a million matches stream in
 * constant memory. The query is checked before the first entry is yielded.
 */
export async function* streamEntries(ctx: CatalogContext, request: QueryRequest, batch = 5000): AsyncGenerator<Entry> {
  const prepared = await prepareQuery(ctx, request);
  let after: string | null = null;
  for (;;) {
    const rows = await readMatches(ctx, prepared, after, batch);
    yield* rows;
    const last = rows.at(-1);
    if (rows.length < batch || !last) return;
    after = last.lfn;
  }
}

async function readMatches(ctx: CatalogContext, prepared: PreparedQuery, after: string | null, limit: number): Promise<Entry[]> {
  const rows = await reading(() => selectMatches(ctx.db, prepared, after, limit).execute());
  return rows.map(toEntry);
}

/** The statement that reads one page of matches (exported so tests can EXPLAIN exactly what runs). */
export function selectMatches(db: Queryable, prepared: PreparedQuery, after: string | null, limit: number) {
  let query = db.selectFrom('entries as e').selectAll('e').where(prepared.where);
  if (after !== null) query = query.where('e.lfn', '>', after);
  return query.orderBy('e.lfn').limit(limit);
}

/**
 * The statement that counts matches: over the values indexes alone when the query allows it (a value
 * always belongs to an existing entry), else over entries.
 */
export function countMatches(db: Queryable, prepared: PreparedQuery) {
  if (prepared.matchIds !== undefined) {
    return db.selectFrom(sql<{ entry_id: string }>`(${prepared.matchIds})`.as('m')).select(sql<number>`count(*)`.as('n'));
  }
  return db.selectFrom('entries as e').select(sql<number>`count(*)`.as('n')).where(prepared.where);
}

/** Parses, checks and compiles the query, and adds the scope, the kind and the caller's visibility. */
export async function prepareQuery(ctx: CatalogContext, request: QueryRequest): Promise<PreparedQuery> {
  if (typeof request.query !== 'string') throw new InvalidArgument('query must be a string');
  if (request.kind !== undefined && !KINDS.includes(request.kind)) throw new InvalidArgument('kind must be directory, file or symlink');
  const inherit = request.inherit === true;
  const ast = parseQuery(request.query);
  checkQueryLimits(request.query, ast, { inherit });
  const definitions = await reading(() => attributesByName(ctx.db, attributeNames(ast)));
  const checked = typeCheck(request.query, ast, definitions);
  const conditions: RawBuilder<SqlBool>[] = [compileQuery(checked, { inherit, inheritableFrom: inheritableValues(ctx) })];
  const under = request.under === undefined ? undefined : await scopeDirectory(ctx, request.under);
  const scoped: RawBuilder<SqlBool>[] = [];
  if (under !== undefined) {
    // Strictly below: every descendant starts with `under/`, and '0' is the byte after '/'.
    scoped.push(under === ROOT ? sql<SqlBool>`e.lfn > '/'` : sql<SqlBool>`e.lfn >= ${`${under}/`}::text AND e.lfn < ${`${under}0`}::text`);
  }
  if (request.kind !== undefined) scoped.push(sql<SqlBool>`e.kind = ${request.kind}::text`);
  if (!startsFromIndex(checked, { inherit })) await checkScanSize(ctx, scoped);
  conditions.push(...scoped);
  const visible = visibleEntries(ctx);
  if (visible !== undefined) conditions.push(visible);
  const matchIds = conditions.length === 1 ? exactMatchIds(checked, { inherit }) : undefined;
  const scope = createHash('sha256')
    .update(JSON.stringify([request.query, under ?? null, inherit, request.kind ?? null]))
    .digest('base64url')
    .slice(0, 22);
  return { where: sql<SqlBool>`${sql.join(conditions, sql` AND `)}`, scope: `query:${scope}`, matchIds };
}

/**
 * A query no index can start from tests every entry in its scope: refused beyond MAX_SCANNED_ENTRIES,
 * counted with a bounded read of the LFN index (it stops one entry past the limit).
 */
async function checkScanSize(ctx: CatalogContext, scope: readonly RawBuilder<SqlBool>[]): Promise<void> {
  const where = scope.length === 0 ? sql<SqlBool>`true` : sql<SqlBool>`${sql.join(scope, sql` AND `)}`;
  const row = await reading(() =>
    sql<{ n: string | number }>`SELECT count(*) AS n FROM (SELECT 1 FROM entries e WHERE ${where} LIMIT ${MAX_SCANNED_ENTRIES + 1}) s`.execute(ctx.db),
  );
  if (Number(row.rows[0]!.n) > MAX_SCANNED_ENTRIES) {
    throw new InvalidArgument(
      `invalid query: no index can start this query (it is made of negations, such as NOT a = 1), so every entry in scope would be tested, ` +
        `and a query may test at most ${MAX_SCANNED_ENTRIES} entries that way; narrow it with under (or kind), or add a positive condition (EXISTS a AND NOT a = 1)`,
    );
  }
}

/** The directory a query is scoped to, with symlinks followed; it must exist. */
async function scopeDirectory(ctx: CatalogContext, input: string): Promise<Lfn> {
  const lfn = parseLfn(input, 'under');
  const access = new Access(ctx);
  const [result] = await reading(() => resolvePaths(ctx.db, [lfn], true, access));
  if (!result!.ok) throw result!.error;
  if (result!.value.kind !== 'directory') throw new NotADirectory(`under is not a directory: ${lfn}`);
  // Searching below a directory goes through it, as listing does.
  const denied = access.deny(result!.value, 'execute', 'query');
  if (denied) throw denied;
  return result!.value.lfn;
}
