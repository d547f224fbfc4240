import type { Queryable } from '../../db/schema';
import type { EntryHead, FileEntry } from '../entry';
import type { Access } from '../access/access';
import type { Right } from '../access/rights';
import { InvalidArgument, IsADirectory, NotExists } from '../errors';
import { parseGuid, type Guid } from '../names/guid';
import { parseLfn, type Lfn } from '../names/lfn';
import { WHOLE_ENTRIES, type EntryReader } from '../namespace/lookup';
import { resolvePathsReading } from '../namespace/resolve';
import { fail, ok, type Result } from '../result';

/**
 * A file named either by LFN or by GUID. A GUID found from a SURL the caller sent carries that SURL, so
 * that errors name what the caller sent, never the GUID it leads to.
 */
export type FileTarget = { readonly by: 'lfn'; readonly lfn: Lfn } | { readonly by: 'guid'; readonly guid: Guid; readonly surl?: string };

export function parseFileTarget(item: { readonly lfn?: string; readonly guid?: string }): FileTarget {
  if (item.lfn !== undefined && item.guid !== undefined) throw new InvalidArgument('give either lfn or guid, not both');
  if (item.lfn !== undefined) return { by: 'lfn', lfn: parseLfn(item.lfn) };
  if (item.guid !== undefined) return { by: 'guid', guid: parseGuid(item.guid) };
  throw new InvalidArgument('give lfn or guid');
}

export function describeTarget(target: FileTarget): string {
  return target.by === 'lfn' ? target.lfn : `guid:${target.guid}`;
}

/**
 * Finds the files behind many targets in at most a few queries (LFNs follow symlinks), and checks the
 * caller may reach each (every directory above it traversable) and holds `right` on it. A file reached
 * by GUID is guarded exactly like one reached by name: a GUID is no way around a private directory. One the
 * caller may not reach is answered as if it did not exist, and errors name the GUID (or SURL) the caller
 * gave, never the file's LFN: a GUID must not reveal a name hidden by the directories above it.
 */
export function resolveFileTargets(
  db: Queryable,
  targets: readonly FileTarget[],
  access: Access,
  right: Right,
  action: string,
): Promise<Result<FileEntry>[]> {
  return resolveFileTargetsReading(WHOLE_ENTRIES, db, targets, access, right, action);
}

/** `resolveFileTargets` reading entries with `reader` (`ENTRY_HEADS` when the GUID is all the caller needs). */
export async function resolveFileTargetsReading<E extends EntryHead>(
  reader: EntryReader<E>,
  db: Queryable,
  targets: readonly FileTarget[],
  access: Access,
  right: Right,
  action: string,
): Promise<Result<Extract<E, { kind: 'file' }>>[]> {
  type File = Extract<E, { kind: 'file' }>;
  const lfns = targets.flatMap((t) => (t.by === 'lfn' ? [t.lfn] : []));
  const guids = targets.flatMap((t) => (t.by === 'guid' ? [t.guid] : []));
  const resolved = await resolvePathsReading(reader, db, lfns, true, access);
  const byLfn = new Map<string, Result<E>>();
  for (let i = 0; i < lfns.length; i++) byLfn.set(lfns[i]!, resolved[i]!);
  const byGuid = await reader.byGuid(db, guids);
  await access.loadAncestors(db, [...byGuid.values()].map((e) => e.lfn));
  const checked = (entry: File): Result<File> => {
    const denied = access.deny(entry, right, action);
    return denied ? fail(denied) : ok(entry);
  };
  return targets.map((target) => {
    if (target.by === 'guid') {
      const entry = byGuid.get(target.guid);
      if (entry?.kind !== 'file' || access.blockedOnWay(entry.lfn) !== undefined) {
        return fail(new NotExists(target.surl === undefined ? `no such GUID: ${target.guid}` : `no such SURL: ${target.surl}`));
      }
      const denied = access.deny(entry, right, action, target.surl ?? `guid:${target.guid}`);
      return denied ? fail(denied) : ok(entry as File);
    }
    const result = byLfn.get(target.lfn)!;
    if (!result.ok) return result;
    const entry = result.value;
    switch (entry.kind) {
      case 'file':
        return checked(entry as File);
      case 'directory':
        return fail(new IsADirectory(`is a directory, not a file: ${target.lfn}`));
      case 'symlink':
        return fail(new NotExists(`symlink does not lead to a file: ${target.lfn}`));
    }
  });
}
