import type { AddReplicaItem, EmptyResult, FileRef, GuidLookupItem, GuidLookupResult, ReplicaListResult, ReplicaRef, ReplicaResult, SeReplica } from '../contract';
import { byLfn, type BulkOptions, type Calls, type ListOptions } from './calls';
import type { Listing } from './listing';

/** Replicas: the SURLs of files on storage elements. A file is named by `lfn` or `guid`. */
export class ReplicasApi {
  readonly #calls: Calls;
  constructor(calls: Calls) {
    this.#calls = calls;
  }

  /** Registers replicas of existing files; `master: true` makes the new one the master. */
  add(items: readonly AddReplicaItem[], options: BulkOptions = {}): Promise<ReplicaResult[]> {
    return this.#calls.bulk(items, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/replicas/add', { body: { items: chunk }, ...init }));
  }

  /** Unregisters replicas; when the master goes, the oldest remaining replica becomes master. */
  remove(items: readonly ReplicaRef[], options: BulkOptions = {}): Promise<EmptyResult[]> {
    return this.#calls.bulk(items, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/replicas/remove', { body: { items: chunk }, ...init }));
  }

  /** Makes an existing replica the master of its file. */
  setMaster(items: readonly ReplicaRef[], options: BulkOptions = {}): Promise<ReplicaResult[]> {
    return this.#calls.bulk(items, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/replicas/set-master', { body: { items: chunk }, ...init }));
  }

  /** The replicas of files (bare strings are LFNs; `{guid}` names a file by GUID), master first. */
  list(items: readonly (string | FileRef)[], options: BulkOptions = {}): Promise<ReplicaListResult[]> {
    const all = byLfn<FileRef>(items, (lfn) => ({ lfn }));
    return this.#calls.bulk(all, 'read', options, (chunk, init) => this.#calls.api.POST('/api/v1/replicas/list', { body: { items: chunk }, ...init }));
  }

  /** Every replica on one storage element (by host name), with the LFN and GUID of its file, by SURL. */
  onStorageElement(se: string, options: Omit<ListOptions, 'mode'> = {}): Listing<SeReplica> {
    const api = this.#calls.api;
    return this.#calls.listing(
      { ...options, mode: 'pages' },
      (cursor, init) =>
        api.GET('/api/v1/replicas', {
          params: { query: { se, ...(options.pageSize !== undefined ? { limit: options.pageSize } : {}), ...(cursor !== undefined ? { cursor } : {}) } },
          ...init,
        }),
      (page) => ({ items: page.replicas, next: page.next }),
    );
  }
}

/** GUID lookups. */
export class GuidsApi {
  readonly #calls: Calls;
  constructor(calls: Calls) {
    this.#calls = calls;
  }

  /** The GUID of an LFN (bare strings), or the GUID and LFN of a SURL (`{surl}`). */
  lookup(items: readonly (string | GuidLookupItem)[], options: BulkOptions = {}): Promise<GuidLookupResult[]> {
    const all = byLfn<GuidLookupItem>(items, (lfn) => ({ lfn }));
    return this.#calls.bulk(all, 'read', options, (chunk, init) => this.#calls.api.POST('/api/v1/guids/lookup', { body: { items: chunk }, ...init }));
  }
}
