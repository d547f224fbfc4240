import type { Queryable } from '../../db/schema';
import type { Access } from '../access/access';
import type { DirectoryEntry, Entry, EntryHead } from '../entry';
import { Internal, Loop, NotADirectory, NotExists, PermissionDenied, type CatalogError } from '../errors';
import { ancestorsOf, componentsOf, joinLfn, type Lfn } from '../names/lfn';
import { fail, ok, type Result } from '../result';
import { WHOLE_ENTRIES, type EntryReader } from './lookup';

/** Symlinks followed while resolving one name, counting links in the middle of a path too. */
export const MAX_SYMLINK_HOPS = 16;

/**
 * Where walking a path ended:
 * - `found`: the entry (after following links as asked);
 * - `missing`: the deepest existing directory on the way and the components below it that do not exist;
 * - `failed`: a component was a file, or links looped.
 * `traversed` lists paths whose every ancestor directory the walk went through (one per hop), so that
 * access checks can demand `execute` on each of them.
 */
export type WalkEnd<E extends EntryHead = Entry> =
  | { readonly kind: 'found'; readonly entry: E }
  | { readonly kind: 'missing'; readonly base: Extract<E, { kind: 'directory' }>; readonly rest: readonly string[] }
  | { readonly kind: 'failed'; readonly error: CatalogError };

export type Walk<E extends EntryHead = Entry> = WalkEnd<E> & { readonly traversed: readonly Lfn[] };

interface Cursor {
  path: Lfn;
  hops: number;
  traversed: Lfn[];
}

/**
 * Walks many paths at once, set-based: each round is one query for every path still being walked, plus
 * one for the ancestors of those not found (to find a symlink or a file in the middle of a path).
 * Most paths are plain and settle in the first round with a single index probe each.
 */
export function walkPaths(db: Queryable, paths: readonly Lfn[], followLast: boolean, access?: Access): Promise<Walk[]> {
  return walkPathsReading(WHOLE_ENTRIES, db, paths, followLast, access);
}

/** `walkPaths` reading entries with `reader` (`ENTRY_HEADS` when only names, GUIDs and access matter). */
export async function walkPathsReading<E extends EntryHead>(
  reader: EntryReader<E>,
  db: Queryable,
  paths: readonly Lfn[],
  followLast: boolean,
  access?: Access,
): Promise<Walk<E>[]> {
  const out: (Walk<E> | undefined)[] = new Array<Walk<E> | undefined>(paths.length).fill(undefined);
  // Cursors only for the paths the first read does not settle (links, misses): most are plain.
  const cursors: Cursor[] = [];
  // Every row read during this walk, and the names known not to exist: later rounds (links, misses)
  // ask only for what is new.
  const seen = new Map<string, E | null>();
  const read = async (lfns: Iterable<string>): Promise<void> => {
    const wanted: string[] = [];
    for (const lfn of lfns) if (!seen.has(lfn)) seen.set(lfn, null), wanted.push(lfn);
    if (wanted.length === 0) return;
    const found = await reader.byLfn(db, wanted);
    for (const [lfn, entry] of found) seen.set(lfn, entry);
    access?.remember(found.values());
  };

  const settle = (i: number, end: WalkEnd<E>) => {
    const traversed = cursors[i]!.traversed;
    switch (end.kind) {
      case 'found':
        out[i] = { kind: 'found', entry: end.entry, traversed };
        break;
      case 'missing':
        out[i] = { kind: 'missing', base: end.base, rest: end.rest, traversed };
        break;
      case 'failed':
        out[i] = { kind: 'failed', error: end.error, traversed };
        break;
    }
  };
  const hop = (i: number, to: () => Lfn): boolean => {
    const cursor = cursors[i]!;
    cursor.hops += 1;
    if (cursor.hops > MAX_SYMLINK_HOPS) {
      settle(i, {
        kind: 'failed',
        error: new Loop(`too many levels of symbolic links (more than ${MAX_SYMLINK_HOPS}) resolving ${paths[i]}`),
      });
      return false;
    }
    try {
      cursor.path = to();
      return true;
    } catch (error) {
      settle(i, { kind: 'failed', error: error as CatalogError });
      return false;
    }
  };

  // The first round also reads the directories above the names, which the access checks at the end
  // need: one statement for the common case (plain paths) instead of two.
  const firstRound = new Set<string>(paths);
  if (access !== undefined) for (const a of access.unknownAncestors(paths)) firstRound.add(a);
  await read(firstRound);
  let active: number[] = [];
  for (let i = 0; i < paths.length; i++) {
    const entry = seen.get(paths[i]!);
    if (entry != null && !(entry.kind === 'symlink' && followLast)) out[i] = { kind: 'found', entry, traversed: [entry.lfn] };
    else {
      cursors[i] = { path: paths[i]!, hops: 0, traversed: [] };
      active.push(i);
    }
  }
  while (active.length > 0) {
    await read(active.map((i) => cursors[i]!.path));
    const next: number[] = [];
    const misses: number[] = [];
    for (const i of active) {
      const entry = seen.get(cursors[i]!.path);
      if (entry == null) {
        misses.push(i);
        continue;
      }
      cursors[i]!.traversed.push(entry.lfn);
      if (entry.kind === 'symlink' && followLast) {
        if (hop(i, () => entry.target)) next.push(i);
      } else settle(i, { kind: 'found', entry });
    }
    if (misses.length > 0) {
      const ancestors = new Set<string>();
      for (const i of misses) for (const a of ancestorsOf(cursors[i]!.path)) ancestors.add(a);
      await read(ancestors);
      for (const i of misses) {
        const cursor = cursors[i]!;
        // Rows exist only below real directories, so the deepest existing ancestor is reachable.
        const deepest = ancestorsOf(cursor.path)
          .reverse()
          .map((a) => seen.get(a))
          .find((e): e is E => e != null);
        if (deepest === undefined) {
          settle(i, { kind: 'failed', error: new Internal('the namespace root is missing') });
          continue;
        }
        const rest = componentsOf(cursor.path).slice(componentsOf(deepest.lfn).length);
        switch (deepest.kind) {
          case 'directory':
            // Learning that a name is missing means looking inside `deepest`: traversing it too.
            cursor.traversed.push(joinLfn(deepest.lfn, rest[0]!));
            settle(i, { kind: 'missing', base: deepest as Extract<E, { kind: 'directory' }>, rest });
            break;
          case 'file':
            cursor.traversed.push(deepest.lfn);
            settle(i, { kind: 'failed', error: new NotADirectory(`not a directory: ${deepest.lfn} (in ${paths[i]})`) });
            break;
          case 'symlink':
            cursor.traversed.push(deepest.lfn);
            if (hop(i, () => joinLfn(deepest.target, rest.join('/')))) next.push(i);
            break;
        }
      }
    }
    active = next;
  }
  const walks = out.map((walk, i) => walk ?? { kind: 'failed' as const, error: new Internal(`path ${paths[i]} was not resolved`), traversed: [] });
  if (access === undefined || !access.enforced) return walks;
  // Every directory the walks went through must be traversable; a blocked walk reveals nothing beyond it.
  await access.loadAncestors(db, walks.flatMap((w) => w.traversed));
  return walks.map((walk, i) => {
    for (const path of walk.traversed) {
      const blocked = access.blockedOnWay(path);
      if (blocked !== undefined) {
        return { kind: 'failed', error: new PermissionDenied(`permission denied: cannot traverse ${blocked.lfn} (resolving ${paths[i]})`), traversed: walk.traversed };
      }
    }
    return walk;
  });
}

/** Resolves paths to entries; a missing path is `NotExists`. */
export function resolvePaths(db: Queryable, paths: readonly Lfn[], followLast: boolean, access?: Access): Promise<Result<Entry>[]> {
  return resolvePathsReading(WHOLE_ENTRIES, db, paths, followLast, access);
}

/** `resolvePaths` reading entries with `reader`. */
export async function resolvePathsReading<E extends EntryHead>(
  reader: EntryReader<E>,
  db: Queryable,
  paths: readonly Lfn[],
  followLast: boolean,
  access?: Access,
): Promise<Result<E>[]> {
  const walks = await walkPathsReading(reader, db, paths, followLast, access);
  return walks.map((walk, i) => {
    switch (walk.kind) {
      case 'found':
        return ok(walk.entry);
      case 'missing':
        return fail(new NotExists(`no such entry: ${paths[i]}`));
      case 'failed':
        return fail(walk.error);
    }
  });
}

/** Resolves the directories new entries go into; anything but a directory is an error. */
export async function resolveDirectories(db: Queryable, paths: readonly Lfn[], access?: Access): Promise<Result<DirectoryEntry>[]> {
  const resolved = await resolvePaths(db, paths, true, access);
  return resolved.map((result, i) => {
    if (!result.ok) {
      return result.error instanceof NotExists ? fail(new NotExists(`no such directory: ${paths[i]}`)) : result;
    }
    const entry = result.value;
    return entry.kind === 'directory' ? ok(entry) : fail(new NotADirectory(`not a directory: ${paths[i]}`));
  });
}
