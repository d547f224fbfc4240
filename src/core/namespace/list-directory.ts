import { sql } from 'kysely';
import { reading } from '../../db/transaction';
import type { CatalogContext } from '../context';
import { decodeCursor, encodeCursor, pageSize } from '../cursor';
import { toEntry, toListedEntry, type DirectoryEntry, type Entry, type ListedEntry } from '../entry';
import { NotADirectory } from '../errors';
import { parseLfn } from '../names/lfn';
import { ENTRY_COLUMNS } from './lookup';
import { resolvePaths } from './resolve';
import { Access } from '../access/access';

export interface ListOptions {
  readonly limit?: number;
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass back to get the next page; null on the last page. */
  readonly next: string | null;
}

/** One page of a directory, in byte order of names. */
export async function listDirectory(ctx: CatalogContext, lfnInput: string, options: ListOptions = {}): Promise<Page<Entry>> {
  const limit = pageSize(options.limit, ctx.limits.defaultPageSize, ctx.limits.maxPageSize);
  const directory = await openDirectory(ctx, lfnInput);
  const after = options.cursor === undefined ? null : decodeCursor(ctx, options.cursor, directory.id);
  const rows = await readChildren(ctx, directory, after, limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? encodeCursor(ctx, directory.id, last.name) : null };
}

/** Every entry of a directory, whole, one at a time, in pages of `batch` (see `streamDirectoryPages`). */
export async function* streamDirectory(ctx: CatalogContext, lfnInput: string, batch = 5000): AsyncGenerator<Entry> {
  const directory = await openDirectory(ctx, lfnInput);
  for await (const page of pagesOf(batch, (after, limit) => readChildren(ctx, directory, after, limit))) yield* page;
}

/**
 * Every entry of a directory as a listing shows it (`ListedEntry`: no permission, validity or ids, which
 * a listing decided on the directory and does not show), page by page from the database, so a
 * million-entry directory streams in constant memory; a page at a time, for consumers that would rather
 * not pay an async step per entry. The directory is resolved and its `list` right checked before the
 * first page is read, all within the first `next()`, so a missing or unreadable directory fails it.
 */
export async function* streamDirectoryPages(ctx: CatalogContext, lfnInput: string, batch = 1000): AsyncGenerator<readonly ListedEntry[]> {
  const directory = await openDirectory(ctx, lfnInput);
  yield* pagesOf(batch, (after, limit) => readListed(ctx, directory, after, limit));
}

/**
 * Pages of `batch` rows by keyset on the name. From the second page on, the next page is read while the
 * consumer takes the current one (the database works while the answer is encoded and sent): never more
 * than two pages are held.
 */
async function* pagesOf<T extends { readonly name: string }>(batch: number, read: (after: string | null, limit: number) => Promise<T[]>): AsyncGenerator<readonly T[]> {
  let rows = await read(null, batch);
  for (let page = 0; ; page++) {
    const last = rows.at(-1);
    const more = rows.length === batch && last !== undefined;
    let next: Promise<T[]> | undefined;
    if (more && page > 0) {
      next = read(last.name, batch);
      // A consumer that stops early never awaits it: its failure must not go unhandled.
      next.catch(() => undefined);
    }
    yield rows;
    if (!more) return;
    rows = await (next ?? read(last.name, batch));
  }
}

async function openDirectory(ctx: CatalogContext, lfnInput: string): Promise<DirectoryEntry> {
  const lfn = parseLfn(lfnInput);
  const access = new Access(ctx);
  const [result] = await reading(() => resolvePaths(ctx.db, [lfn], true, access));
  if (!result!.ok) throw result!.error;
  const entry = result!.value;
  if (entry.kind !== 'directory') throw new NotADirectory(`not a directory: ${lfn}`);
  const denied = access.deny(entry, 'list', 'list');
  if (denied) throw denied;
  return entry;
}

async function readChildren(ctx: CatalogContext, directory: DirectoryEntry, after: string | null, limit: number): Promise<Entry[]> {
  const rows = await reading(() => children(ctx, directory, after, limit).select(ENTRY_COLUMNS).execute());
  return rows.map(toEntry);
}

async function readListed(ctx: CatalogContext, directory: DirectoryEntry, after: string | null, limit: number): Promise<ListedEntry[]> {
  const rows = await reading(() => children(ctx, directory, after, limit).select(LISTED_COLUMNS).execute());
  const dates = new SharedDates();
  return rows.map((row) => toListedEntry(row, dates));
}

/**
 * A time as whole milliseconds since 1970, rounded down: the instant the `Date` parsed from the
 * timestamp's text holds (the parser keeps three fraction digits). One integer to read instead of a
 * text to parse into a `Date` per row and column; PostgreSQL pays less for it than for formatting the
 * timestamp as text.
 */
const epochMs = <C extends 'ctime' | 'mtime'>(column: C) => sql<number>`floor(extract(epoch from ${sql.ref(column)}) * 1000)::int8`.as(`${column}_ms`);

/** The columns a `ListedEntry` is built from: 12 of an entry's 20, without the ACL (a jsonb) or any id. */
const LISTED_COLUMNS = ['lfn', 'name', 'kind', 'guid', 'target', 'size', 'checksum_type', 'checksum', 'owner_dn', 'group_name', epochMs('ctime'), epochMs('mtime')] as const;

/**
 * One `Date` per run of equal times within a page: entries registered together share their ctime and
 * mtime (a transaction's now()), so most rows of a listing need no `Date` of their own. Listed entries
 * are read-only values, never mutated, so sharing is safe.
 */
class SharedDates {
  #ms = Number.NaN;
  #date = new Date(Number.NaN);

  of(ms: number): Date {
    if (ms !== this.#ms) {
      this.#date = new Date(ms);
      this.#ms = ms;
    }
    return this.#date;
  }
}

/** A page of a directory's children, in byte order of names (`name` is COLLATE "C"), after the name `after`. */
function children(ctx: CatalogContext, directory: DirectoryEntry, after: string | null, limit: number) {
  let query = ctx.db.selectFrom('entries').where('parent_id', '=', directory.id);
  if (after !== null) query = query.where('name', '>', after);
  return query.orderBy('name').limit(limit);
}
