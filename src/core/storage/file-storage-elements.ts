import { checkBulkSize, type CatalogContext } from '../context';
import type { Guid } from '../names/guid';
import { stripLfnPrefix } from '../names/input-name';
import { listReplicas, type ListReplicasItem } from '../replicas/list-replicas';
import type { Result } from '../result';

export interface StorageElementsItem {
  /** An LFN, also in the `lfn:/grid/…` form of JDL InputData. */
  readonly lfn?: string;
  /** A GUID, also in the `guid:…` form. */
  readonly guid?: string;
}

export interface FileStorageElements {
  readonly guid: Guid;
  /** Distinct SE hosts holding a replica: the master's first, then by registration. */
  readonly ses: readonly string[];
}

/**
 * The StorageIndex question (REST storage-index/ses, SOAP listSEbyLFN/listSEbyGUID): which storage
 * elements hold each file, as the hosts of its replicas' SURLs — what the WMS broker matches against the
 * information system. Every SE is listed whatever its registry status: this answers where the catalog
 * says the bytes are; `rank` is the place that weighs status and protocols. A file without replicas has
 * an empty list; an unknown name, or one the caller may not read, fails like listing its replicas.
 */
export async function storageElementsOfFiles(ctx: CatalogContext, items: readonly StorageElementsItem[]): Promise<Result<FileStorageElements>[]> {
  checkBulkSize(ctx, items.length);
  const targets: ListReplicasItem[] = items.map((item) => (item.lfn !== undefined ? { ...item, lfn: stripLfnPrefix(item.lfn) } : item));
  const files = await listReplicas(ctx, targets);
  return files.map((file) => {
    if (!file.ok) return file;
    const ses = [...new Set(file.value.replicas.map((replica) => replica.se))];
    return { ok: true, value: { guid: file.value.guid, ses } };
  });
}
