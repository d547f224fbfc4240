import type { Access } from '../access/access';
import type { Entry } from '../entry';
import type { CatalogError } from '../errors';

export type MetadataRight = 'getMetadata' | 'setMetadata';

/** Per entry, PermissionDenied when the caller lacks `right` on it, else undefined. */
export function authorizeMetadata(access: Access, entries: readonly Entry[], right: MetadataRight): (CatalogError | undefined)[] {
  return entries.map((entry) => access.deny(entry, right, right === 'getMetadata' ? 'get-metadata' : 'set-metadata') ?? undefined);
}
