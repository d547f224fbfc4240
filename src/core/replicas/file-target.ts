import type { Queryable } from '../../db/schema';
import type { FileEntry } from '../entry';
import { InvalidArgument, IsADirectory, NotExists } from '../errors';
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

/** Finds the files behind many targets in at most a few queries (LFNs follow symlinks). */
export async function resolveFileTargets(db: Queryable, targets: readonly FileTarget[]): Promise<Result<FileEntry>[]> {
  const lfns = targets.flatMap((t) => (t.by === 'lfn' ? [t.lfn] : []));
  const guids = targets.flatMap((t) => (t.by === 'guid' ? [t.guid] : []));
  const byLfn = new Map((await resolvePaths(db, lfns, true)).map((r, i) => [lfns[i]!, r] as const));
  const byGuid = await filesByGuid(db, guids);
  return targets.map((target) => {
    if (target.by === 'guid') {
      const entry = byGuid.get(target.guid);
      return entry?.kind === 'file' ? ok(entry) : fail(new NotExists(`no such GUID: ${target.guid}`));
    }
    const result = byLfn.get(target.lfn)!;
    if (!result.ok) return result;
    const entry = result.value;
    switch (entry.kind) {
      case 'file':
        return ok(entry);
      case 'directory':
        return fail(new IsADirectory(`is a directory, not a file: ${target.lfn}`));
      case 'symlink':
        return fail(new NotExists(`symlink does not lead to a file: ${target.lfn}`));
    }
  });
}
