import type { CatalogContext } from '../context';
import type { Entry } from '../entry';
import type { CatalogError } from '../errors';

export type MetadataRight = 'getMetadata' | 'setMetadata';

/**
 * The seam for ACLs (identity issue): decides, per entry, whether the caller holds `right` on it.
 * Returns an error for each entry refused (PermissionDenied), undefined for each allowed. Until ACLs
 * land every entry is allowed; the metadata operations already call this for every item.
 */
export async function authorizeMetadata(
  _ctx: CatalogContext,
  entries: readonly Entry[],
  _right: MetadataRight,
): Promise<(CatalogError | undefined)[]> {
  return entries.map(() => undefined);
}
