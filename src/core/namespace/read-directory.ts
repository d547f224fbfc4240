import type { CatalogContext } from '../context';
import { pageSize } from '../cursor';
import type { Entry } from '../entry';
import { InvalidArgument } from '../errors';
import { streamDirectory } from './list-directory';

export interface ReadDirectoryOptions {
  /** Shell-style pattern on entry names (`*`, `?`); empty or absent lists everything. */
  readonly pattern?: string | null;
  /** Entries (after the pattern) to skip. */
  readonly offset: number;
  /** Entries to return; 0 is an error, as in the Fireman 2.0.0 interface. */
  readonly limit: number;
}

/**
 * A window of a directory by offset and limit, the paging of Fireman's readDir: callers repeat with a
 * growing offset until fewer than `limit` entries come back. It reads the directory in name order from
 * the start, so a deep offset costs a scan up to it; keyset cursors (`listDirectory`) do not.
 */
export async function readDirectory(ctx: CatalogContext, lfn: string, options: ReadDirectoryOptions): Promise<Entry[]> {
  const limit = pageSize(options.limit, ctx.limits.defaultPageSize, ctx.limits.maxPageSize);
  if (!Number.isSafeInteger(options.offset) || options.offset < 0) throw new InvalidArgument('offset must be a non-negative integer');
  const matches = compilePattern(options.pattern ?? '');
  const out: Entry[] = [];
  let skipped = 0;
  for await (const entry of streamDirectory(ctx, lfn, Math.min(5000, options.offset + limit))) {
    if (!matches(entry.name)) continue;
    if (skipped < options.offset) {
      skipped++;
      continue;
    }
    out.push(entry);
    if (out.length === limit) break;
  }
  return out;
}

function compilePattern(pattern: string): (name: string) => boolean {
  if (pattern === '' || pattern === '*') return () => true;
  if (pattern.includes('/')) throw new InvalidArgument('a readDir pattern matches names, so it cannot contain /');
  if (pattern.length > 255) throw new InvalidArgument('the pattern is longer than 255 characters');
  const glob = [...pattern];
  return (name) => matchGlob(glob, [...name]);
}

/**
 * `*` and `?` matching by the greedy two-pointer method: at most length(name) × length(pattern) steps,
 * where a regular expression built from `*a*a*a…` could backtrack exponentially on a hostile name.
 */
function matchGlob(glob: readonly string[], name: readonly string[]): boolean {
  let g = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (g < glob.length && (glob[g] === '?' || (glob[g] !== '*' && glob[g] === name[n]))) {
      g++;
      n++;
    } else if (g < glob.length && glob[g] === '*') {
      star = g++;
      resume = n;
    } else if (star >= 0) {
      g = star + 1;
      n = ++resume;
    } else return false;
  }
  while (g < glob.length && glob[g] === '*') g++;
  return g === glob.length;
}
