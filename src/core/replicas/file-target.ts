import type { Queryable } from '../../db/schema';
import type { FileEntry } from '../entry';
import type { Access } from '../access/access';
import type { Right } from '../access/rights';
import { InvalidArgument, IsADirectory, NotExists, PermissionDenied } from '../errors';
import { parseGuid, type Guid } from '../names/guid';
import { parseLfn, type Lfn } from '../names/lfn';
import { filesByGuid } from '../namespace/lookup';
import { resolvePaths } from '../namespace/resolve';
import { fail, ok, type Result } from '../result';

/** A file named either by LFN or by GUID. */
export type FileTarget = { readonly by: 'lfn'; readonly lfn: Lfn } | { readonly by: 'guid'; readonly guid: Guid };

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
 * by GUID is guarded exactly like one reached by name: a GUID is no way around a private directory.
 */
export async function resolveFileTargets(
  db: Queryable,
  targets: readonly FileTarget[],
  access: Access,
  right: Right,
  action: string,
): Promise<Result<FileEntry>[]> {
  const lfns = targets.flatMap((t) => (t.by === 'lfn' ? [t.lfn] : []));
  const guids = targets.flatMap((t) => (t.by === 'guid' ? [t.guid] : []));
  const byLfn = new Map((await resolvePaths(db, lfns, true, access)).map((r, i) => [lfns[i]!, r] as const));
  const byGuid = await filesByGuid(db, guids);
  await access.loadAncestors(db, [...byGuid.values()].map((e) => e.lfn));
  const checked = (entry: FileEntry): Result<FileEntry> => {
    const denied = access.deny(entry, right, action);
    return denied ? fail(denied) : ok(entry);
  };
  return targets.map((target) => {
    if (target.by === 'guid') {
      const entry = byGuid.get(target.guid);
      if (entry?.kind !== 'file') return fail(new NotExists(`no such GUID: ${target.guid}`));
      const blocked = access.blockedOnWay(entry.lfn);
      if (blocked) return fail(new PermissionDenied(`permission denied: cannot traverse ${blocked.lfn} (guid:${target.guid})`));
      return checked(entry);
    }
    const result = byLfn.get(target.lfn)!;
    if (!result.ok) return result;
    const entry = result.value;
    switch (entry.kind) {
      case 'file':
        return checked(entry);
      case 'directory':
        return fail(new IsADirectory(`is a directory, not a file: ${target.lfn}`));
      case 'symlink':
        return fail(new NotExists(`symlink does not lead to a file: ${target.lfn}`));
    }
  });
}
