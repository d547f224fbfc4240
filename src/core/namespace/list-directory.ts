import { reading } from '../../db/transaction';
import type { CatalogContext } from '../context';
import { decodeCursor, encodeCursor, pageSize } from '../cursor';
import { toEntry, type DirectoryEntry, type Entry } from '../entry';
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
  const after = options.cursor === undefined ? null : decodeCursor(options.cursor, directory.id);
  const rows = await readChildren(ctx, directory, after, limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? encodeCursor(directory.id, last.name) : null };
}

/** Every entry of a directory, one at a time (see `streamDirectoryPages`). */
export async function* streamDirectory(ctx: CatalogContext, lfnInput: string, batch = 5000): AsyncGenerator<Entry> {
  for await (const page of streamDirectoryPages(ctx, lfnInput, batch)) yield* page;
}

/**
 * Every entry of a directory, page by page from the database, so a million-entry directory streams in
 * constant memory; a page at a time, for consumers that would rather not pay an async step per entry.
 * From the second page on, the next page is read while the consumer takes the current one (the database
 * works while the answer is encoded and sent): never more than two pages are held. The first page is
 * read before anything is yielded, so a missing or unreadable directory fails the first `next()`.
 */
export async function* streamDirectoryPages(ctx: CatalogContext, lfnInput: string, batch = 1000): AsyncGenerator<readonly Entry[]> {
  const directory = await openDirectory(ctx, lfnInput);
  let rows = await readChildren(ctx, directory, null, batch);
  for (let page = 0; ; page++) {
    const last = rows.at(-1);
    const more = rows.length === batch && last !== undefined;
    let next: Promise<Entry[]> | undefined;
    if (more && page > 0) {
      next = readChildren(ctx, directory, last.name, batch);
      // A consumer that stops early never awaits it: its failure must not go unhandled.
      next.catch(() => undefined);
    }
    yield rows;
    if (!more) return;
    rows = await (next ?? readChildren(ctx, directory, last.name, batch));
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
  const rows = await reading(() => {
    let query = ctx.db.selectFrom('entries').select(ENTRY_COLUMNS).where('parent_id', '=', directory.id);
    if (after !== null) query = query.where('name', '>', after);
    return query.orderBy('name').limit(limit).execute();
  });
  return rows.map(toEntry);
}
