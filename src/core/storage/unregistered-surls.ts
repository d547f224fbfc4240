import type { Queryable } from '../../db/schema';
import type { CatalogContext } from '../context';
import { InvalidArgument } from '../errors';
import { readStorageElements } from './read-storage-elements';
import { DEFAULT_STORAGE_SETTINGS } from './storage-settings';
import { StorageDirectory } from './storage-directory';

/**
 * Under the `refuse` policy, the error for each SURL that is on no registered SE (keyed by SURL); under
 * `allow` (the default) an empty map without touching the database. Called where replicas are made
 * (createFiles, addReplicas), inside their transaction.
 */
export async function refusedUnregistered(
  ctx: CatalogContext,
  db: Queryable,
  surls: readonly { readonly surl: string; readonly se: string }[],
): Promise<Map<string, InvalidArgument>> {
  const settings = ctx.storage ?? DEFAULT_STORAGE_SETTINGS;
  if (settings.unregisteredSes === 'allow' || surls.length === 0) return new Map();
  const directory = new StorageDirectory(await readStorageElements(db));
  const refused = new Map<string, InvalidArgument>();
  for (const { surl, se } of surls) {
    if (directory.locate(surl, se) === undefined) {
      refused.set(surl, new InvalidArgument(`SURL is on no registered storage element (host ${se}): ${surl}`));
    }
  }
  return refused;
}
