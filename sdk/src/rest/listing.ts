import type { Page } from '../contract';

/**
 * A listing that may be long (a directory, a query's matches, a storage element's replicas): iterate it
 * with `for await`, or walk its pages.
 *
 * ```ts
 * for await (const entry of client.dir.list('/grid/vo')) console.log(entry.lfn);
 * for await (const page of client.dir.list('/grid/vo', { pageSize: 500 }).pages()) save(page.items, page.next);
 * ```
 *
 * Iterating uses the NDJSON stream when the service offers one (one request, constant memory), else
 * cursor pages. A stream cannot resume where a broken connection left it; pages can (each page is its
 * own request, retried on its own, and `next` can be kept to continue later with `startAfter`).
 */
export class Listing<T> implements AsyncIterable<T> {
  readonly #page: (cursor: string | undefined) => Promise<Page<T>>;
  readonly #stream: (() => AsyncIterable<T>) | undefined;
  readonly #startAfter: string | undefined;

  constructor(page: (cursor: string | undefined) => Promise<Page<T>>, stream: (() => AsyncIterable<T>) | undefined, startAfter?: string) {
    this.#page = page;
    this.#stream = stream;
    this.#startAfter = startAfter;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.#stream !== undefined && this.#startAfter === undefined) {
      yield* this.#stream();
      return;
    }
    for await (const page of this.pages()) yield* page.items;
  }

  /** The listing a page at a time, following the service's cursors. */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let cursor = this.#startAfter;
    for (;;) {
      const page = await this.#page(cursor);
      yield page;
      if (page.next === null) return;
      cursor = page.next;
    }
  }

  /** Everything, in memory: for listings known to be small. */
  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for await (const item of this) out.push(item);
    return out;
  }
}
