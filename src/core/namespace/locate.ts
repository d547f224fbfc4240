import { sql } from 'kysely';
import { reading } from '../../db/transaction';
import { Access } from '../access/access';
import type { CatalogContext } from '../context';
import { pageSize } from '../cursor';
import { toEntry, type Entry, type EntryHead } from '../entry';
import { InvalidArgument, NotADirectory } from '../errors';
import { ancestorsOf, parseLfn, ROOT, type Lfn } from '../names/lfn';
import { resolvePaths } from './resolve';
import { below } from './subtree';

export interface LocateOptions {
  /** Shell glob on entry names (`*`, `?`); empty or `*` matches every name. */
  readonly pattern: string;
  /** Most entries to return; required, 1 to the largest page size (0 is an error, as in Fireman 2.0.0). */
  readonly limit: number;
}

const BATCH = 2000;

/**
 * Entries anywhere below `startDir` (links at the start followed, never inside) whose name matches a glob,
 * in byte order of LFNs, at most `limit` of them. The caller sees only what it could find by walking:
 * every directory from `startDir` down to an entry's parent must grant it `list` and `execute`, and the
 * entry itself `read` (a symlink, like in stat, needs only the way to it). The pattern is matched by the
 * database (`LIKE` on the name); the subtree is read in LFN order in batches until `limit` entries pass.
 */
export async function locateEntries(ctx: CatalogContext, startDir: string, options: LocateOptions): Promise<Entry[]> {
  if (options.limit === 0) throw new InvalidArgument('limit must not be 0');
  const limit = pageSize(options.limit, ctx.limits.defaultPageSize, ctx.limits.maxPageSize);
  const like = likePattern(options.pattern);
  const start = parseLfn(startDir);
  const access = new Access(ctx);
  const [resolved] = await reading(() => resolvePaths(ctx.db, [start], true, access));
  if (!resolved!.ok) throw resolved!.error;
  const root = resolved!.value;
  if (root.kind !== 'directory') throw new NotADirectory(`not a directory: ${start}`);
  access.remember([root]);
  const depth = root.lfn === ROOT ? 0 : ancestorsOf(root.lfn).length + 1;
  const open = (directory: EntryHead | undefined) =>
    directory !== undefined && access.allows(directory, 'list', 'locate') && access.allows(directory, 'execute', 'locate');

  const out: Entry[] = [];
  let after: string | null = null;
  for (;;) {
    const rows = await reading(() => {
      let query = ctx.db.selectFrom('entries').selectAll();
      query = root.lfn === ROOT ? query.where('lfn', '>', ROOT) : query.where((eb) => below(eb, root.lfn));
      if (like !== null) query = query.where(sql<boolean>`name LIKE ${like} ESCAPE '\\'`);
      if (after !== null) query = query.where('lfn', '>', after);
      return query.orderBy('lfn').limit(BATCH).execute();
    });
    const entries = rows.map(toEntry);
    await access.loadAncestors(ctx.db, entries.map((e) => e.lfn));
    for (const entry of entries) {
      // The directories from the start down to the entry's parent (those above the start were walked already).
      const way = ancestorsOf(entry.lfn as Lfn).slice(depth);
      if (!open(root) || !way.every((lfn) => open(access.directory(lfn)))) continue;
      if (entry.kind !== 'symlink' && !access.allows(entry, 'read', 'locate')) continue;
      out.push(entry);
      if (out.length === limit) return out;
    }
    if (rows.length < BATCH) return out;
    after = rows.at(-1)!.lfn;
  }
}

/** A glob on names as a LIKE pattern (`*` → `%`, `?` → `_`, the rest escaped); null matches everything. */
function likePattern(pattern: string): string | null {
  if (pattern === '' || pattern === '*') return null;
  if (pattern.includes('/')) throw new InvalidArgument('a locate pattern matches names, so it cannot contain /');
  if (pattern.length > 255) throw new InvalidArgument('the pattern is longer than 255 characters');
  let out = '';
  for (const c of pattern) out += c === '*' ? '%' : c === '?' ? '_' : c === '%' || c === '_' || c === '\\' ? `\\${c}` : c;
  return out;
}
