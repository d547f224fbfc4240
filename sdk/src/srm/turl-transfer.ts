import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AttemptSignal } from '../attempt-signal';
import { AbortError, NetworkError, TimeoutError } from '../errors';
import type { RestTransport } from '../rest/rest-transport';
import { Adler32 } from './adler32';
import { srmFailureOf, TurlError } from './srm-errors';

export interface TransferOptions {
  /** Cancels the transfer (an AbortError); a file being downloaded to is not left behind. */
  readonly signal?: AbortSignal;
  /** Called as bytes move, with the number of bytes of this chunk (add them up for a total). */
  readonly onBytes?: (n: number) => void;
}

export interface UploadOptions extends TransferOptions {
  /** The bytes a stream will give, sent as Content-Length (a file's size is known without it). */
  readonly size?: number;
}

/** What went over the wire: the byte count and the adler32 of the bytes, computed as they passed. */
export interface Transferred {
  readonly size: number;
  /** 8 lower-case hex digits, as the catalog and the SRM report it. */
  readonly adler32: string;
}

/**
 * Streams a TURL's bytes into a file (a temporary name next to it, renamed only when every byte arrived)
 * or into a caller's stream (written with back-pressure and left open: the caller ends it). A GET that fails
 * before the bytes flow is retried like any read; once they flow, a break fails the download.
 */
export async function downloadTurl(
  transport: RestTransport<{}>,
  turl: string,
  destination: string | NodeJS.WritableStream,
  options: TransferOptions = {},
): Promise<Transferred> {
  const { signal } = options;
  const where = `GET ${withoutQuery(turl)}`;
  const { response, attempt } = await transport.exchange<{ response: Response; attempt: AttemptSignal }>(
    { idempotent: true, ...(signal !== undefined ? { signal } : {}) },
    async (attempt, init) => {
      let flowing = false;
      try {
        const response = await transport.send(turl, { method: 'GET', headers: init.headers, signal: init.signal });
        if (!response.ok) return { failed: await turlFailure(response, where), response };
        flowing = true;
        return { value: { response, attempt } };
      } finally {
        if (!flowing) attempt.dispose();
      }
    },
  );
  const reader = response.body?.getReader();
  const expected = contentLength(response);
  const sum = new Adler32();
  let size = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    if (reader === undefined) return;
    for (;;) {
      const next = await reader.read().catch((error: unknown) => {
        throw attempt.explain() ?? new NetworkError(`${where}: the bytes broke off after ${size}`, { cause: error });
      });
      if (next.done) break;
      attempt.touch();
      sum.update(next.value);
      size += next.value.length;
      options.onBytes?.(next.value.length);
      yield next.value;
    }
    if (expected !== undefined && size !== expected) throw new NetworkError(`${where}: ${size} bytes arrived of the ${expected} announced`);
  }
  try {
    if (typeof destination === 'string') await writeWholeFile(destination, chunks());
    else await writeInto(destination, chunks(), signal);
  } catch (error) {
    throw attempt.explain() ?? error;
  } finally {
    attempt.dispose();
    await reader?.cancel().catch(() => undefined);
  }
  return { size, adler32: sum.hex() };
}

/**
 * PUTs a file or a stream to a TURL, with adler32 and size computed from the bytes as they are sent. A file
 * is sent again after a failure a retry is allowed for (the PUT replaces what arrived); a stream, read as it
 * is sent, only once. A failure to read the source is thrown as it is, not as the network's.
 */
export async function uploadTurl(
  transport: RestTransport<{}>,
  turl: string,
  source: string | NodeJS.ReadableStream,
  options: UploadOptions = {},
): Promise<Transferred> {
  const { signal } = options;
  const where = `PUT ${withoutQuery(turl)}`;
  const fromFile = typeof source === 'string';
  const length = typeof source === 'string' ? (await stat(source)).size : options.size;
  let readFailure: { readonly error: unknown } | undefined;
  try {
    return await transport.exchange<Transferred>(
      { idempotent: fromFile, once: !fromFile, ...(signal !== undefined ? { signal } : {}) },
      async (attempt, init) => {
        readFailure = undefined;
        const input: NodeJS.ReadableStream = typeof source === 'string' ? createReadStream(source) : source;
        const sum = new Adler32();
        let size = 0;
        async function* body(): AsyncGenerator<Uint8Array> {
          try {
            for await (const chunk of input) {
              const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
              attempt.touch();
              sum.update(bytes);
              size += bytes.length;
              options.onBytes?.(bytes.length);
              yield bytes;
            }
          } catch (error) {
            readFailure = { error };
            throw error;
          }
        }
        const headers = {
          ...init.headers,
          'content-type': 'application/octet-stream',
          ...(length !== undefined ? { 'content-length': String(length) } : {}),
        };
        try {
          const response = await transport.send(turl, { method: 'PUT', headers, body: body(), signal: init.signal });
          if (!response.ok) return { failed: await turlFailure(response, where), response };
          const received = receivedBytes(await response.json().catch(() => undefined));
          if (received !== undefined && received !== size) {
            throw new TurlError(`${where}: the storage received ${received} bytes of the ${size} sent`, undefined, { status: response.status });
          }
          return { value: { size, adler32: sum.hex() } };
        } finally {
          attempt.dispose();
          if (fromFile) (input as ReturnType<typeof createReadStream>).destroy();
        }
      },
    );
  } catch (error) {
    if (readFailure !== undefined && !(error instanceof AbortError) && !(error instanceof TimeoutError)) throw readFailure.error;
    throw error;
  }
}

/** A TURL's failure answer as an error; its query (a signed TURL's signature) stays out of messages. */
async function turlFailure(response: Response, where: string): Promise<TurlError> {
  const text = await response.text().catch(() => '');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: a proxy's page, or nothing (HEAD, 416)
  }
  const failure = srmFailureOf(body);
  const said = failure?.explanation ?? text.replace(/\s+/g, ' ').trim().slice(0, 200);
  const requestId = response.headers.get('x-request-id') ?? undefined;
  return new TurlError(`${where}: HTTP ${response.status}${said !== '' ? `: ${said}` : ''}`, failure?.status, {
    status: response.status,
    ...(failure !== undefined ? { problem: failure } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
  });
}

function withoutQuery(turl: string): string {
  const query = turl.indexOf('?');
  return query < 0 ? turl : turl.slice(0, query);
}

function contentLength(response: Response): number | undefined {
  const header = response.headers.get('content-length');
  return header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
}

function receivedBytes(answer: unknown): number | undefined {
  const size = typeof answer === 'object' && answer !== null ? (answer as { size?: unknown }).size : undefined;
  return typeof size === 'number' ? size : undefined;
}

async function writeWholeFile(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.part`);
  try {
    await pipeline(chunks, createWriteStream(temporary, { flags: 'wx' }));
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Writes chunks into a caller's stream, waiting whenever it asks to, and leaves it open. */
async function writeInto(out: NodeJS.WritableStream, chunks: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): Promise<void> {
  let broken: { readonly error: unknown } | undefined;
  const onError = (error: unknown) => (broken ??= { error });
  out.on('error', onError);
  try {
    for await (const chunk of chunks) {
      if (broken !== undefined) throw broken.error;
      if (!out.write(chunk)) await drained(out, signal);
    }
    if (broken !== undefined) throw broken.error;
  } finally {
    out.off('error', onError);
  }
}

function drained(out: NodeJS.WritableStream, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: unknown) => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onDrain = () => settle();
    const onError = (error: unknown) => settle(error);
    const onClose = () => settle(new Error('the destination stream closed before the download ended'));
    const onAbort = () => settle(signal?.reason);
    out.on('drain', onDrain);
    out.on('error', onError);
    out.on('close', onClose);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
