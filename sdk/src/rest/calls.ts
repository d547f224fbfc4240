import type { Client } from 'openapi-fetch';
import type { Limits, Page } from '../contract';
import { NotExists } from '../errors';
import type { paths } from '../generated/openapi';
import { sendInChunks, type BulkLimits, type ChunkOptions } from './bulk-chunks';
import { Listing } from './listing';
import { readNdjson } from './ndjson';
import type { ApiAnswer, AttemptInit, CallOptions, RestTransport } from './rest-transport';

/** Options of a bulk call: chunking, progress, and the options of each request. */
export interface BulkOptions extends CallOptions, ChunkOptions {}

/** Options of a listing. */
export interface ListOptions extends CallOptions {
  /** Entries per page when paging (the service's default when absent). */
  readonly pageSize?: number;
  /** `stream` (default where offered): one NDJSON request; `pages`: cursor pages. */
  readonly mode?: 'stream' | 'pages';
  /** Continue a paged listing after this cursor (a page's `next`). */
  readonly startAfter?: string;
}

/** What the limits are when the service does not say (a replicat older than GET /api/v1/limits). */
export const DEFAULT_LIMITS: BulkLimits = { maxItems: 10_000, maxBodyBytes: 32 * 1024 * 1024 };

type BulkAnswer<R> = ApiAnswer<{ readonly results: readonly R[] }>;

/**
 * What every API group shares: the typed client, reads and writes with the right retry default, bulk
 * calls cut to the service's limits, and listings.
 */
export class Calls {
  readonly #transport: RestTransport;
  readonly #fixedLimits: Partial<BulkLimits>;
  #limits: Promise<BulkLimits> | undefined;

  constructor(transport: RestTransport, fixedLimits: Partial<BulkLimits>) {
    this.#transport = transport;
    this.#fixedLimits = fixedLimits;
  }

  get api(): Client<paths, 'application/json'> {
    return this.#transport.api;
  }

  /** A call that changes nothing: retried on 503 and network errors unless `idempotent: false`. */
  read<T>(send: (init: AttemptInit) => Promise<ApiAnswer<T>>, options: CallOptions = {}): Promise<T> {
    return this.#transport.json(send, { ...options, idempotent: options.idempotent ?? true });
  }

  /** A call that changes the catalog: not retried unless the caller says it is idempotent. */
  write<T>(send: (init: AttemptInit) => Promise<ApiAnswer<T>>, options: CallOptions = {}): Promise<T> {
    return this.#transport.json(send, { ...options, idempotent: options.idempotent ?? false });
  }

  /** A write answered 204 No Content. */
  writeEmpty(send: (init: AttemptInit) => Promise<ApiAnswer<unknown>>, options: CallOptions = {}): Promise<void> {
    return this.#transport.empty(send, { ...options, idempotent: options.idempotent ?? false });
  }

  /**
   * A bulk operation over any number of items: cut into requests that fit the service's limits, sent
   * (`concurrency` at a time), results merged in item order.
   */
  async bulk<I, R>(
    items: readonly I[],
    kind: 'read' | 'write',
    options: BulkOptions,
    post: (chunk: I[], init: AttemptInit & { readonly bodySerializer: () => string }) => Promise<BulkAnswer<R>>,
  ): Promise<R[]> {
    if (items.length === 0) return [];
    const limits = items.length === 1 ? DEFAULT_LIMITS : await this.limits(options);
    const idempotent = options.idempotent ?? kind === 'read';
    return sendInChunks(
      items,
      limits,
      async (chunk, body) => {
        const answer = await this.#transport.json((init) => post(chunk, { ...init, bodySerializer: () => body }), { ...options, idempotent });
        return answer.results;
      },
      options,
    );
  }

  /**
   * The limits bulk calls are cut to: the client's own when it was given them, else the service's,
   * asked once (GET /api/v1/limits) and remembered.
   */
  async limits(options: CallOptions = {}): Promise<BulkLimits> {
    const { maxItems, maxBodyBytes } = this.#fixedLimits;
    if (maxItems !== undefined && maxBodyBytes !== undefined) return { maxItems, maxBodyBytes };
    this.#limits ??= this.#askLimits(options).catch((error: unknown) => {
      this.#limits = undefined; // a failure is not remembered: the next call asks again
      throw error;
    });
    const advertised = await this.#limits;
    return { maxItems: maxItems ?? advertised.maxItems, maxBodyBytes: maxBodyBytes ?? advertised.maxBodyBytes };
  }

  async #askLimits(options: CallOptions): Promise<BulkLimits> {
    try {
      const limits: Limits = await this.read((init) => this.api.GET('/api/v1/limits', init), options);
      return { maxItems: limits.maxItems, maxBodyBytes: limits.maxBodyBytes };
    } catch (error) {
      if (error instanceof NotExists) return DEFAULT_LIMITS;
      throw error;
    }
  }

  /** A listing from a page reader and, when the service streams it, an NDJSON request. */
  listing<P, T>(
    options: ListOptions,
    page: (cursor: string | undefined, init: AttemptInit) => Promise<ApiAnswer<P>>,
    toPage: (answer: P) => Page<T>,
    stream?: (init: AttemptInit) => Promise<ApiAnswer<ReadableStream<Uint8Array> | null>>,
  ): Listing<T> {
    const readPage = async (cursor: string | undefined): Promise<Page<T>> => {
      return toPage(await this.read((init) => page(cursor, init), options));
    };
    const streamed =
      stream !== undefined && options.mode !== 'pages'
        ? () => this.#streamItems<T>(stream, options)
        : undefined;
    return new Listing(readPage, streamed, options.startAfter);
  }

  async *#streamItems<T>(stream: (init: AttemptInit) => Promise<ApiAnswer<ReadableStream<Uint8Array> | null>>, options: CallOptions): AsyncGenerator<T> {
    const open = await this.#transport.stream(stream, { ...options, idempotent: options.idempotent ?? true });
    yield* readNdjson<T>(open);
  }
}

/** Bare strings name entries by LFN: `'/grid/a'` is `{lfn: '/grid/a'}`. */
export function byLfn<I>(items: readonly (string | I)[], make: (lfn: string) => I): I[] {
  return items.map((item) => (typeof item === 'string' ? make(item) : item));
}
