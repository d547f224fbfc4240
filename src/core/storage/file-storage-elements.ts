import { checkBulkSize, type CatalogContext } from '../context';
import type { Guid } from '../names/guid';
import { listReplicas, type ListReplicasItem } from './list-replicas';
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
 * The broker's question (StorageIndex listSEbyLFN/listSEbyGUID): which storage elements hold each file.
 * A file without replicas has an empty list; an unknown name is NotExists.
 */
export async function listStorageElements(ctx: CatalogContext, items: readonly StorageElementsItem[]): Promise<Result<FileStorageElements>[]> {
  checkBulkSize(ctx, items.length);
  const targets: ListReplicasItem[] = items.map((item) => (item.lfn !== undefined ? { ...item, lfn: stripLfnPrefix(item.lfn) } : item));
  const files = await listReplicas(ctx, targets);
  return files.map((file) => {
    if (!file.ok) return file;
    const ses = [...new Set(file.value.replicas.map((replica) => replica.se))];
    return { ok: true, value: { guid: file.value.guid, ses } };
  });
}

/** `lfn:/a/b` and `lfn:///a/b` (JDL and CLI spellings) name `/a/b`. */
function stripLfnPrefix(lfn: string): string {
  if (!/^lfn:/i.test(lfn)) return lfn;
  const rest = lfn.slice(4);
  return rest.startsWith('///') ? rest.slice(2) : rest;
}
