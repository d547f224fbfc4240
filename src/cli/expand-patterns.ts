import { joinPath, type LfnPattern, type PatternComponent } from './lfn-pattern';

/** What expansion needs to know of a listed entry. */
export interface ListedEntry {
  readonly lfn: string;
  readonly kind: 'directory' | 'file' | 'symlink';
}

/**
 * How expansion reads the catalog: stream one directory (one request, whatever its size) and stat many
 * LFNs at once (one bulk request). A directory that does not exist (or is not one) is an empty listing.
 */
export interface PatternCatalog<E extends ListedEntry> {
  list(directory: string): AsyncIterable<E>;
  /** Entries of the LFNs that exist (not following a final symlink), in any order. */
  existing(lfns: readonly string[]): Promise<readonly E[]>;
}

export interface PatternMatches<E> {
  readonly pattern: LfnPattern;
  /** In byte order of LFN; empty when nothing matched. */
  readonly matches: readonly E[];
}

interface Waiting {
  readonly patternIndex: number;
  /** Components left, the first a glob matched against the names of the directory listed. */
  readonly rest: readonly PatternComponent[];
}

/**
 * Expands wildcard patterns with as few requests as the patterns allow: each directory whose names a
 * glob must see is listed once (shared by every pattern waiting on it), and the paths built from literal
 * components after a glob are checked in one bulk stat at the end. `/grid/vo/*.root` costs one listing;
 * `/grid/*\/run1/*.root` one listing of /grid plus one per matching directory's `run1`. Never one request
 * per matched entry. Matches come with their entries, so `ls -l` needs nothing more.
 *
 * ```ts
 * const [{ matches }] = await expandPatterns([parsePattern('/grid/vo/*.root')], catalog);
 * ```
 */
export async function expandPatterns<E extends ListedEntry>(
  patterns: readonly LfnPattern[],
  catalog: PatternCatalog<E>,
  options: { readonly concurrency?: number } = {},
): Promise<PatternMatches<E>[]> {
  const matches: E[][] = patterns.map(() => []);
  const toCheck: { patternIndex: number; lfn: string }[] = [];
  let round = new Map<string, Waiting[]>();

  patterns.forEach((pattern, patternIndex) => {
    const { path, rest } = advanceLiterals('/', pattern.components);
    if (rest.length === 0) toCheck.push({ patternIndex, lfn: path });
    else addWaiting(round, path, { patternIndex, rest });
  });

  while (round.size > 0) {
    const next = new Map<string, Waiting[]>();
    await forEachLimited([...round.entries()], options.concurrency ?? 4, async ([directory, waiting]) => {
      for await (const entry of catalog.list(directory)) {
        const name = entry.lfn.slice(entry.lfn.lastIndexOf('/') + 1);
        for (const w of waiting) {
          const glob = w.rest[0]!;
          if (glob.kind !== 'glob' || !glob.regex.test(name)) continue;
          if (w.rest.length === 1) {
            matches[w.patternIndex]!.push(entry);
            continue;
          }
          // Only directories (or links, which may lead to one) have names below them.
          if (entry.kind === 'file') continue;
          const { path, rest } = advanceLiterals(entry.lfn, w.rest.slice(1));
          if (rest.length === 0) toCheck.push({ patternIndex: w.patternIndex, lfn: path });
          else addWaiting(next, path, { patternIndex: w.patternIndex, rest });
        }
      }
    });
    round = next;
  }

  if (toCheck.length > 0) {
    const found = new Map((await catalog.existing([...new Set(toCheck.map((c) => c.lfn))])).map((e) => [e.lfn, e] as const));
    for (const { patternIndex, lfn } of toCheck) {
      const entry = found.get(lfn);
      if (entry !== undefined) matches[patternIndex]!.push(entry);
    }
  }

  return patterns.map((pattern, i) => ({ pattern, matches: dedupeSorted(matches[i]!) }));
}

/** Walks literal components from `path` up to the next glob. */
function advanceLiterals(path: string, components: readonly PatternComponent[]): { path: string; rest: readonly PatternComponent[] } {
  let at = path;
  for (const [i, component] of components.entries()) {
    if (component.kind === 'glob') return { path: at, rest: components.slice(i) };
    at = joinPath(at, component.name);
  }
  return { path: at, rest: [] };
}

function addWaiting(map: Map<string, Waiting[]>, directory: string, waiting: Waiting): void {
  const list = map.get(directory);
  if (list === undefined) map.set(directory, [waiting]);
  else list.push(waiting);
}

function dedupeSorted<E extends ListedEntry>(entries: E[]): E[] {
  const byLfn = new Map<string, E>();
  for (const e of entries) if (!byLfn.has(e.lfn)) byLfn.set(e.lfn, e);
  return [...byLfn.values()].sort((a, b) => compareBytes(a.lfn, b.lfn));
}

/** Byte order of the UTF-8 encodings, as the catalog sorts LFNs (COLLATE "C"). */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Runs `work` over items with at most `limit` at a time. */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
