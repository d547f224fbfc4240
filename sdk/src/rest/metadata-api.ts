import type {
  AttributeDefinition,
  AttributeListResult,
  AttributeValuesResult,
  ClearAttributesItem,
  DropMetadataItem,
  EmptyResult,
  Entry,
  GetAttributesItem,
  ListAttributesItem,
  NewSchema,
  Page,
  QueryRequest,
  Schema,
  SchemaBindingItem,
  SchemaBindingsQueryItem,
  SchemaBindingsResult,
  SetAttributesItem,
} from '../contract';
import { HttpError } from '../errors';
import type { CallOptions } from './rest-transport';
import { byLfn, type BulkOptions, type Calls, type ListOptions } from './calls';
import type { Listing } from './listing';

/** Attribute values on files and directories (symlinks followed). */
export class AttributesApi {
  readonly #calls: Calls;
  constructor(calls: Calls) {
    this.#calls = calls;
  }

  /** Sets values (typed by their schema); each item is all or nothing. */
  set(items: readonly SetAttributesItem[], options: BulkOptions = {}): Promise<EmptyResult[]> {
    return this.#calls.bulk(items, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/attributes/set', { body: { items: chunk }, ...init }));
  }

  /** Values of entries: all of them, or the `names` given; an unset attribute is absent. */
  get(items: readonly (string | GetAttributesItem)[], options: BulkOptions = {}): Promise<AttributeValuesResult[]> {
    const all = byLfn<GetAttributesItem>(items, (lfn) => ({ lfn }));
    return this.#calls.bulk(all, 'read', options, (chunk, init) => this.#calls.api.POST('/api/v1/attributes/get', { body: { items: chunk }, ...init }));
  }

  /** Removes values. */
  clear(items: readonly ClearAttributesItem[], options: BulkOptions = {}): Promise<EmptyResult[]> {
    return this.#calls.bulk(items, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/attributes/clear', { body: { items: chunk }, ...init }));
  }

  /** Names, types and schemas of the attributes set on entries. */
  list(items: readonly (string | ListAttributesItem)[], options: BulkOptions = {}): Promise<AttributeListResult[]> {
    const all = byLfn<ListAttributesItem>(items, (lfn) => ({ lfn }));
    return this.#calls.bulk(all, 'read', options, (chunk, init) => this.#calls.api.POST('/api/v1/attributes/list', { body: { items: chunk }, ...init }));
  }

  /** Drops all metadata of entries, values and schema bindings (the entries stay); none is `NotExists`. */
  drop(items: readonly (string | DropMetadataItem)[], options: BulkOptions = {}): Promise<EmptyResult[]> {
    const all = byLfn<DropMetadataItem>(items, (lfn) => ({ lfn }));
    return this.#calls.bulk(all, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/attributes/drop', { body: { items: chunk }, ...init }));
  }
}

/** Metadata schemas: named sets of typed attributes. */
export class SchemasApi {
  readonly #calls: Calls;
  constructor(calls: Calls) {
    this.#calls = calls;
  }

  async list(options: CallOptions = {}): Promise<Schema[]> {
    const answer = await this.#calls.read((init) => this.#calls.api.GET('/api/v1/schemas', init), options);
    return answer.schemas;
  }

  /** Creates a schema; a taken schema or attribute name is `Exists` and nothing is created. */
  create(schema: NewSchema, options: CallOptions = {}): Promise<Schema> {
    return this.#calls.write((init) => this.#calls.api.POST('/api/v1/schemas', { body: schema, ...init }), options);
  }

  describe(name: string, options: CallOptions = {}): Promise<Schema> {
    return this.#calls.read((init) => this.#calls.api.GET('/api/v1/schemas/{name}', { params: { path: { name } }, ...init }), options);
  }

  /** Drops a schema; refused (`Conflict`) while entries carry its attributes, unless `force`. */
  drop(name: string, options: CallOptions & { readonly force?: boolean } = {}): Promise<void> {
    const query = options.force !== undefined ? { force: options.force } : {};
    return this.#calls.writeEmpty((init) => this.#calls.api.DELETE('/api/v1/schemas/{name}', { params: { path: { name }, query }, ...init }), options);
  }

  addAttributes(name: string, attributes: readonly AttributeDefinition[], options: CallOptions = {}): Promise<Schema> {
    return this.#calls.write(
      (init) => this.#calls.api.POST('/api/v1/schemas/{name}/attributes', { params: { path: { name } }, body: { attributes: [...attributes] }, ...init }),
      options,
    );
  }

  /**
   * Binds entries to schemas: an entry bound (or directly in a directory bound) takes only attributes of
   * its schemas from then on. A pair already bound is `Exists`.
   */
  bind(items: readonly SchemaBindingItem[], options: BulkOptions = {}): Promise<EmptyResult[]> {
    return this.#calls.bulk(items, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/schema-bindings/add', { body: { items: chunk }, ...init }));
  }

  /** Unbinds entries from schemas (values stay); a pair not bound is `NotExists`. */
  unbind(items: readonly SchemaBindingItem[], options: BulkOptions = {}): Promise<EmptyResult[]> {
    return this.#calls.bulk(items, 'write', options, (chunk, init) => this.#calls.api.POST('/api/v1/schema-bindings/remove', { body: { items: chunk }, ...init }));
  }

  /** The schemas bound to entries, and those they inherit from their parent directory. */
  bindings(items: readonly (string | SchemaBindingsQueryItem)[], options: BulkOptions = {}): Promise<SchemaBindingsResult[]> {
    const all = byLfn<SchemaBindingsQueryItem>(items, (lfn) => ({ lfn }));
    return this.#calls.bulk(all, 'read', options, (chunk, init) => this.#calls.api.POST('/api/v1/schema-bindings/get', { body: { items: chunk }, ...init }));
  }

  /** Removes attributes; refused (`Conflict`) while values exist, unless `force` (which deletes them). */
  removeAttributes(name: string, names: readonly string[], options: CallOptions & { readonly force?: boolean } = {}): Promise<Schema> {
    const body = { names: [...names], ...(options.force !== undefined ? { force: options.force } : {}) };
    return this.#calls.write((init) => this.#calls.api.DELETE('/api/v1/schemas/{name}/attributes', { params: { path: { name } }, body, ...init }), options);
  }
}

/** What a query looks for besides its text: where, with inherited values, which kind. */
export type QueryScope = Pick<QueryRequest, 'under' | 'inherit' | 'kind'>;

/**
 * The matches of a metadata query: iterate them (an NDJSON stream), walk their pages, or count them.
 *
 * ```ts
 * const runs = client.query("run > 1000 AND detector = 'tpc'", { under: '/grid/vo' });
 * console.log(await runs.count());
 * for await (const entry of runs) console.log(entry.lfn);
 * ```
 */
export class Query implements AsyncIterable<Entry> {
  readonly #listing: Listing<Entry>;
  readonly #count: (options: CallOptions) => Promise<number>;

  constructor(calls: Calls, query: string, scope: QueryScope, options: ListOptions) {
    const api = calls.api;
    const request = { query, ...scope };
    this.#listing = calls.listing(
      options,
      (cursor, init) =>
        api.POST('/api/v1/query', {
          body: { ...request, ...(options.pageSize !== undefined ? { limit: options.pageSize } : {}), ...(cursor !== undefined ? { cursor } : {}) },
          ...init,
        }),
      (page) => {
        if (!('entries' in page)) throw new HttpError('the query answered a count where a page was expected');
        return { items: page.entries, next: page.next };
      },
      (init) =>
        api.POST('/api/v1/query', {
          body: request,
          parseAs: 'stream',
          signal: init.signal,
          headers: { ...init.headers, accept: 'application/x-ndjson' },
        }),
    );
    this.#count = async (countOptions) => {
      const answer = await calls.read((init) => api.POST('/api/v1/query', { body: { ...request, count: true }, ...init }), countOptions);
      if (!('count' in answer)) throw new HttpError('the query answered a page where a count was expected');
      return answer.count;
    };
  }

  [Symbol.asyncIterator](): AsyncIterator<Entry> {
    return this.#listing[Symbol.asyncIterator]();
  }

  /** The matches a page at a time, in byte order of LFN. */
  pages(): AsyncGenerator<Page<Entry>, void, undefined> {
    return this.#listing.pages();
  }

  toArray(): Promise<Entry[]> {
    return this.#listing.toArray();
  }

  /** The number of matches (the entries the caller may read). */
  count(options: CallOptions = {}): Promise<number> {
    return this.#count(options);
  }
}
