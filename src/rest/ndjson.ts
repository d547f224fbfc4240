import type { Response } from 'express';
import { JsonBytes } from './json-bytes';

/** Lines are gathered into writes of about this size: a million one-line writes cost more than the lines. */
const CHUNK_CHARS = 64 * 1024;
const CHUNK_BYTES = 64 * 1024;

/** The status and headers of an NDJSON answer, sent with its first line (or alone when there is none). */
export function startNdjson(res: Response): void {
  res.status(200).type('application/x-ndjson');
  res.setHeader('cache-control', 'no-store');
}

/**
 * Streams items as NDJSON, honouring back-pressure: the generator is pulled only as fast as the client
 * reads, so memory stays flat however long the listing. The first item is awaited before headers go
 * out, so an error up front (no such directory) still becomes a proper problem response.
 * `encode` gives each item's JSON text (one line, no newline).
 */
export function writeNdjson<T>(res: Response, items: AsyncGenerator<T>, encode: (item: T) => string): Promise<void> {
  return streamFrom(res, items, async (out, first) => {
    out.line(encode(first));
    for await (const item of items) {
      if (out.closed) break;
      out.line(encode(item));
      if (out.pending >= CHUNK_CHARS) await out.flush();
    }
    await out.flush();
  });
}

/**
 * `writeNdjson` for a source that yields pages of items (a directory listing reads 1,000 entries a
 * query): one async step per page instead of one per item, and the lines written as UTF-8 bytes by
 * `write` (see `JsonBytes`) rather than built as strings.
 */
export function writeNdjsonPages<T>(res: Response, pages: AsyncGenerator<readonly T[]>, write: (out: JsonBytes, item: T) => void): Promise<void> {
  return streamFrom(res, pages, async (out, first) => {
    // Room for a chunk and the line that crosses its end, so that the buffer rarely has to grow.
    const bytes = new JsonBytes(CHUNK_BYTES + CHUNK_BYTES / 4);
    for (let page: IteratorResult<readonly T[]> = { done: false, value: first }; !page.done; page = await pages.next()) {
      for (const item of page.value) {
        write(bytes, item);
        bytes.ascii('\n');
        if (bytes.length >= CHUNK_BYTES) await out.send(bytes.take());
      }
      if (out.closed) break;
    }
    if (bytes.length > 0) await out.send(bytes.take());
  });
}

/**
 * The frame both writers share: headers only once the first value is in hand, `body` writes the rest,
 * and a failure after the headers cuts the stream short (the only honest signal left), never ends it cleanly.
 */
async function streamFrom<S>(res: Response, source: AsyncGenerator<S>, body: (out: NdjsonWriter, first: S) => Promise<void>): Promise<void> {
  const first = await source.next();
  startNdjson(res);
  if (first.done) {
    res.end();
    return;
  }
  const out = new NdjsonWriter(res);
  try {
    await body(out, first.value);
  } catch (error) {
    res.destroy(error instanceof Error ? error : new Error(String(error)));
    return;
  } finally {
    await source.return(undefined);
  }
  res.end();
}

/** Gathers NDJSON lines and writes them in chunks, waiting for the socket to drain when it is full. */
export class NdjsonWriter {
  readonly #res: Response;
  #parts: string[] = [];
  #pending = 0;
  #closed = false;

  constructor(res: Response) {
    this.#res = res;
    res.on('close', () => (this.#closed = true));
  }

  /** The client went away: stop producing. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Characters gathered and not written yet. */
  get pending(): number {
    return this.#pending;
  }

  line(json: string): void {
    this.#parts.push(json, '\n');
    this.#pending += json.length + 1;
  }

  async flush(): Promise<void> {
    if (this.#parts.length === 0 || this.#closed) return;
    const chunk = this.#parts.join('');
    this.#parts = [];
    this.#pending = 0;
    await this.send(chunk);
  }

  /** Writes a chunk built elsewhere (`JsonBytes`), after anything gathered, waiting for the socket to drain when it is full. */
  async send(chunk: string | Buffer): Promise<void> {
    if (this.#parts.length > 0) await this.flush();
    if (this.#closed) return;
    if (!this.#res.write(chunk)) await drained(this.#res);
  }
}

/** Resolves on 'drain' or 'close', removing both listeners: a long stream waits many times. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
