import type { BulkItem, BulkResult, Schemas } from '../contract';
import { byLfn, type BulkOptions, type Calls } from './calls';
import type { CallOptions } from './rest-transport';

export type StorageElement = Schemas['StorageElement'];
export type NewStorageElement = Schemas['NewStorageElement'];
export type StorageElementChanges = Schemas['StorageElementChanges'];
export type StorageElementResult = BulkResult<'/api/v1/storage-elements'>;
export type StorageIndexItem = BulkItem<'/api/v1/storage-index/ses'>;
export type StorageIndexSesResult = BulkResult<'/api/v1/storage-index/ses'>;
export type RankRequest = Schemas['RankRequest'];
export type Ranking = Schemas['Ranking'];

/** The storage element registry: read by anyone, changed by admins. */
export class StorageElementsApi {
  readonly #calls: Calls;
  constructor(calls: Calls) {
    this.#calls = calls;
  }

  /** Every registered SE, by name. */
  async list(options: CallOptions = {}): Promise<StorageElement[]> {
    const answer = await this.#calls.read((init) => this.#calls.api.GET('/api/v1/storage-elements', init), options);
    return answer.storageElements;
  }

  get(name: string, options: CallOptions = {}): Promise<StorageElement> {
    return this.#calls.read((init) => this.#calls.api.GET('/api/v1/storage-elements/{name}', { params: { path: { name } }, ...init }), options);
  }

  /** Registers SEs (admin); each item stands alone (`Exists`, `Conflict` for a claimed prefix, …). */
  register(items: readonly NewStorageElement[], options: BulkOptions = {}): Promise<StorageElementResult[]> {
    return this.#calls.bulk(items, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/storage-elements', { body: { items: chunk }, ...init }));
  }

  /** Changes an SE (admin); lists given replace the old ones. Safe to retry: the same change twice is one. */
  update(name: string, changes: StorageElementChanges, options: CallOptions = {}): Promise<StorageElement> {
    return this.#calls.write(
      (init) => this.#calls.api.PATCH('/api/v1/storage-elements/{name}', { params: { path: { name } }, body: changes, ...init }),
      options,
    );
  }

  /** Unregisters an SE (admin); its replicas stay in the catalog. */
  remove(name: string, options: CallOptions = {}): Promise<void> {
    return this.#calls.writeEmpty((init) => this.#calls.api.DELETE('/api/v1/storage-elements/{name}', { params: { path: { name } }, ...init }), options);
  }
}

/** The StorageIndex: which SEs hold files, as a job broker asks. */
export class StorageIndexApi {
  readonly #calls: Calls;
  constructor(calls: Calls) {
    this.#calls = calls;
  }

  /** The SE hosts holding each file (bare strings are LFNs; `lfn:`/`guid:` prefixes accepted), master's first. */
  ses(items: readonly (string | StorageIndexItem)[], options: BulkOptions = {}): Promise<StorageIndexSesResult[]> {
    const all = byLfn<StorageIndexItem>(items, (lfn) => ({ lfn }));
    return this.#calls.bulk(all, 'read', options, (chunk, init) => this.#calls.api.POST('/api/v1/storage-index/ses', { body: { items: chunk }, ...init }));
  }

  /**
   * The broker's question in one request (up to the service's 1,000,000 names, not cut into chunks: a
   * ranking is over the whole input): which SEs hold how much of these files, best first, and which
   * names lead to no readable file.
   */
  rank(names: readonly string[], protocols?: readonly string[], options: CallOptions = {}): Promise<Ranking> {
    const body: RankRequest = { lfns: [...names], ...(protocols !== undefined ? { protocols: [...protocols] } : {}) };
    return this.#calls.read((init) => this.#calls.api.POST('/api/v1/storage-index/rank', { body, ...init }), options);
  }
}
