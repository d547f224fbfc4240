import type { Queryable } from '../../db/schema';
import { Access } from '../access/access';
import type { CatalogContext } from '../context';
import type { Entry } from '../entry';
import type { Lfn } from '../names/lfn';
import { resolvePaths } from '../namespace/resolve';
import { fail, ok, type Result } from '../result';
import { authorizeMetadata, type MetadataRight } from './authorize-metadata';

/**
 * The entries whose metadata items name, set-based: symlinks are followed (as Fireman does for every
 * operation but remove), every directory on the way must be traversable, and each entry must grant the
 * caller `right` (getMetadata to read, setMetadata to change).
 */
export async function targetEntries(ctx: CatalogContext, db: Queryable, lfns: readonly Lfn[], right: MetadataRight): Promise<Result<Entry>[]> {
  const access = new Access(ctx);
  const resolved = await resolvePaths(db, lfns, true, access);
  const found = resolved.flatMap((r) => (r.ok ? [r.value] : []));
  const refusals = authorizeMetadata(access, found, right);
  let k = 0;
  return resolved.map((r) => {
    if (!r.ok) return r;
    const refusal = refusals[k++];
    return refusal === undefined ? ok(r.value) : fail(refusal);
  });
}
