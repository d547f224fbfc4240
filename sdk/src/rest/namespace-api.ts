import type {
  ChownItem,
  CreateFileItem,
  EmptyResult,
  Entry,
  EntryResult,
  MkdirItem,
  MoveItem,
  RemoveItem,
  StatItem,
  SymlinkItem,
} from '../contract';
import { byLfn, type BulkOptions, type Calls, type ListOptions } from './calls';
import type { Listing } from './listing';

/** Files: `POST /api/v1/files`. */
export class FilesApi {
  readonly #calls: Calls;
  constructor(calls: Calls) {
    this.#calls = calls;
  }

  /**
   * Registers files (GUID generated when absent), with size, checksum and replicas; one result per
   * item, in order. Each item is all or nothing.
   *
   * ```ts
   * const [r] = await client.files.create([{ lfn: '/grid/vo/a.root', size: 1024, replicas: [{ surl: 'srm://se1/vo/a.root' }] }]);
   * if (r.ok) console.log(r.entry.guid);
   * ```
   */
  create(items: readonly CreateFileItem[], options: BulkOptions = {}): Promise<EntryResult[]> {
    return this.#calls.bulk(items, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/files', { body: { items: chunk }, ...init }));
  }
}

/** Directories: make them, list them. */
export class DirectoriesApi {
  readonly #calls: Calls;
  constructor(calls: Calls) {
    this.#calls = calls;
  }

  /** mkdir; with `parents` (per item, or for bare LFNs from the options) mkdir -p. */
  create(items: readonly (string | MkdirItem)[], options: BulkOptions & { readonly parents?: boolean } = {}): Promise<EntryResult[]> {
    const parents = options.parents;
    const all = byLfn<MkdirItem>(items, (lfn) => (parents === undefined ? { lfn } : { lfn, parents }));
    return this.#calls.bulk(all, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/directories', { body: { items: chunk }, ...init }));
  }

  /**
   * The entries of a directory in byte order of names: streamed as NDJSON (one request, constant
   * memory), or in cursor pages with `mode: 'pages'` / `.pages()`.
   */
  list(lfn: string, options: ListOptions = {}): Listing<Entry> {
    const api = this.#calls.api;
    return this.#calls.listing(
      options,
      (cursor, init) =>
        api.GET('/api/v1/directories/entries', {
          params: { query: { lfn, ...(options.pageSize !== undefined ? { limit: options.pageSize } : {}), ...(cursor !== undefined ? { cursor } : {}) } },
          ...init,
        }),
      (page) => ({ items: page.entries, next: page.next }),
      (init) =>
        api.GET('/api/v1/directories/entries', {
          params: { query: { lfn } },
          parseAs: 'stream',
          signal: init.signal,
          headers: { ...init.headers, accept: 'application/x-ndjson' },
        }),
    );
  }
}

/** Entries of any kind: stat, move, remove, chown. */
export class EntriesApi {
  readonly #calls: Calls;
  constructor(calls: Calls) {
    this.#calls = calls;
  }

  /** Describes entries; a final symlink is followed unless `follow: false`. */
  stat(items: readonly (string | StatItem)[], options: BulkOptions = {}): Promise<EntryResult[]> {
    const all = byLfn<StatItem>(items, (lfn) => ({ lfn }));
    return this.#calls.bulk(all, 'read', options, (chunk, init) => this.#calls.api.POST('/api/v1/entries/stat', { body: { items: chunk }, ...init }));
  }

  /** Renames files, symlinks or whole trees. */
  move(items: readonly MoveItem[], options: BulkOptions = {}): Promise<EntryResult[]> {
    return this.#calls.bulk(items, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/entries/move', { body: { items: chunk }, ...init }));
  }

  /** Removes files (with their replicas), symlinks, directories (empty, or `recursive`). */
  remove(items: readonly (string | RemoveItem)[], options: BulkOptions & { readonly recursive?: boolean } = {}): Promise<EmptyResult[]> {
    const recursive = options.recursive;
    const all = byLfn<RemoveItem>(items, (lfn) => (recursive === undefined ? { lfn } : { lfn, recursive }));
    return this.#calls.bulk(all, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/entries/remove', { body: { items: chunk }, ...init }));
  }

  /** Changes owner (administrators) and/or group (the owner, into one of their groups). */
  chown(items: readonly ChownItem[], options: BulkOptions = {}): Promise<EntryResult[]> {
    return this.#calls.bulk(items, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/entries/chown', { body: { items: chunk }, ...init }));
  }
}

/** Symlinks: LFN → LFN; the target need not exist. */
export class SymlinksApi {
  readonly #calls: Calls;
  constructor(calls: Calls) {
    this.#calls = calls;
  }

  create(items: readonly SymlinkItem[], options: BulkOptions = {}): Promise<EntryResult[]> {
    return this.#calls.bulk(items, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/symlinks', { body: { items: chunk }, ...init }));
  }
}
