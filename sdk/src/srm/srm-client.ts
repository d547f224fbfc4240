import type { Client } from 'openapi-fetch';
import type { Credentials } from '../credentials';
import { AbortError, IncompleteBulkError, ReplicatError } from '../errors';
import { SRM_MAX_ITEMS, type paths } from '../generated/srm';
import { planChunks } from '../rest/bulk-chunks';
import { RestTransport, type ApiAnswer, type AttemptInit, type CallOptions, type TransportOptions } from '../rest/rest-transport';
import { sleep } from '../retry-policy';
import type { SrmFileStatus, SrmPing, SrmPutFile, SrmRequestStatus, SrmStatusCode } from './srm-contract';
import { srmErrorFromResponse, SrmTimeoutError } from './srm-errors';
import { downloadTurl, uploadTurl, type TransferOptions, type Transferred, type UploadOptions } from './turl-transfer';

export interface SrmClientOptions extends TransportOptions {
  /** The SRM's root, e.g. `https://srm.example.org:8444` (paths start with /srm/v2). */
  readonly baseUrl: string;
  /** A bearer token of the catalog (`credentials: {type: 'bearer', token}` for short). */
  readonly token?: string;
  /** A local account of the catalog, sent as HTTP Basic (`credentials: {type: 'basic', …}` for short). */
  readonly username?: string;
  readonly password?: string;
  /** The largest body the SRM takes: SURL lists are cut to fit. Default 1 MiB, the mock SRM's default. */
  readonly maxBodyBytes?: number;
}

export interface PrepareToGetOptions extends CallOptions {
  /** Transfer protocols the caller can use, best first (`['https', 'http']`); absent, each SE's first. */
  readonly protocols?: readonly string[];
  /** How long the TURLs stay pinned once ready; the SRM's default when absent, its maximum at most. */
  readonly pinLifetimeSeconds?: number;
}

export interface PrepareToPutOptions extends CallOptions {
  readonly protocols?: readonly string[];
}

export interface WaitOptions {
  /** The shortest wait between two polls (default 200 ms); the SRM's estimate decides above it, up to 5 s. */
  readonly pollMs?: number;
  /** How long to wait in all (default 10 minutes) before an SrmTimeoutError. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export type DownloadOptions = TransferOptions;
export type { TransferOptions, Transferred, UploadOptions };

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_POLL_MS = 200;
const MAX_POLL_MS = 5000;
const DEFAULT_WAIT_MS = 10 * 60 * 1000;
// `{"token":"<32 hex>","surls":[` and `]}` beyond what planChunks already allows for.
const TOKEN_ENVELOPE_BYTES = 64;
const WAITING: readonly SrmStatusCode[] = ['SRM_REQUEST_QUEUED', 'SRM_REQUEST_INPROGRESS'];

/**
 * A client of the mock SRM (openapi/srm.yaml): SRM v2.2 gets and puts with request tokens, and the bytes
 * behind the TURLs they give, streamed with their adler32. Per-file failures are statuses in the answers;
 * only calls that fail as a whole throw (SrmError, Unauthenticated, NetworkError, …, as the catalog client).
 * It sends the same credentials as a ReplicatClient would: the SRM passes them on to the catalog.
 *
 * ```ts
 * const srm = new SrmClient({ baseUrl: 'https://srm.example.org:8444', ...credentialsFromEnvironment() });
 * // put
 * const put = await srm.prepareToPut([{ surl: 'srm://se1.example.org/dpm/vo/a.root', lfn: '/grid/vo/a.root' }]);
 * const space = put.files[0];
 * if (space.status !== 'SRM_SPACE_AVAILABLE') throw new Error(space.explanation);
 * const sent = await srm.upload(space.turl!, '/data/a.root');
 * const done = await srm.putDone(put.token);                 // the catalog now has /grid/vo/a.root, size, adler32
 * // get
 * const get = await srm.waitUntilReady((await srm.prepareToGet(['srm://se1.example.org/dpm/vo/a.root'])).token);
 * const got = await srm.download(get.files[0].turl!, '/tmp/a.root');  // {size, adler32}
 * await srm.release(get.token);
 * await srm.close();
 * ```
 *
 * Reads (ping, ls, status) are retried after a 503 or a broken connection; other calls only when given
 * `idempotent: true` (harmless for putDone, release and abort).
 */
export class SrmClient {
  readonly #transport: RestTransport<paths>;
  readonly #maxBodyBytes: number;

  constructor(options: SrmClientOptions) {
    const { token, username, password, maxBodyBytes, ...transport } = options;
    const credentials = credentialsOf(options);
    this.#transport = new RestTransport<paths>({ ...transport, ...(credentials !== undefined ? { credentials } : {}) }, srmErrorFromResponse);
    this.#maxBodyBytes = maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /** Is the SRM there: its version, backend and the SEs it serves. */
  ping(options: CallOptions = {}): Promise<SrmPing> {
    return this.#read((init) => this.api.POST('/srm/v2/ping', { ...init, body: {} }), options);
  }

  /** What is on disk behind each SURL (size, adler32), for files the caller may read; any number, in order. */
  ls(surls: readonly string[], options: CallOptions = {}): Promise<SrmFileStatus[]> {
    return this.#perSurl(surls, (chunk) => this.#read((init) => this.api.POST('/srm/v2/ls', { ...init, body: { surls: chunk } }), options));
  }

  /**
   * Asks for files to read: pinned files have a `turl` (`SRM_FILE_PINNED`), files of a nearline SE are queued
   * while staged (`waitUntilReady`). At most 10000 SURLs: one request, one token.
   */
  prepareToGet(surls: readonly string[], options: PrepareToGetOptions = {}): Promise<SrmRequestStatus> {
    const { protocols, pinLifetimeSeconds, ...call } = options;
    const body = {
      surls: [...surls],
      ...(protocols !== undefined ? { protocols: [...protocols] } : {}),
      ...(pinLifetimeSeconds !== undefined ? { pinLifetimeSeconds } : {}),
    };
    return this.#write((init) => this.api.POST('/srm/v2/prepare-to-get', { ...init, body }), call);
  }

  /**
   * Asks for space for new files: each gets a `turl` to upload to (`SRM_SPACE_AVAILABLE`), then `putDone`
   * registers them in the catalog under their LFNs. At most 10000 files: one request, one token.
   */
  prepareToPut(files: readonly SrmPutFile[], options: PrepareToPutOptions = {}): Promise<SrmRequestStatus> {
    const { protocols, ...call } = options;
    const body = { files: files.map(({ surl, lfn }) => ({ surl, lfn })), ...(protocols !== undefined ? { protocols: [...protocols] } : {}) };
    return this.#write((init) => this.api.POST('/srm/v2/prepare-to-put', { ...init, body }), call);
  }

  /** A request as it stands now. */
  status(token: string, options: CallOptions = {}): Promise<SrmRequestStatus> {
    return this.#read((init) => this.api.GET('/srm/v2/requests/{token}', { ...init, params: { path: { token } } }), options);
  }

  /**
   * Polls a request until none of its files is queued or in progress, sleeping as long as the SRM estimates
   * (at least `pollMs`, at most 5 s between polls). Files that failed are in the answer, not thrown.
   *
   * ```ts
   * const ready = await srm.waitUntilReady(get.token, { timeoutMs: 60_000 });
   * for (const file of ready.files) if (file.status === 'SRM_FILE_PINNED') await srm.download(file.turl!, local(file.surl));
   * ```
   */
  async waitUntilReady(token: string, options: WaitOptions = {}): Promise<SrmRequestStatus> {
    const { signal } = options;
    const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.status(token, signal !== undefined ? { signal } : {});
      const waiting = status.files.filter((file) => WAITING.includes(file.status));
      if (waiting.length === 0) return status;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new SrmTimeoutError(`request ${token}: ${waiting.length} of ${status.files.length} files still waiting after ${timeoutMs} ms`, status);
      }
      const estimateMs = Math.min(...waiting.map((file) => file.estimatedWaitTime ?? 0)) * 1000;
      const waitMs = Math.min(Math.max(estimateMs, pollMs), Math.max(MAX_POLL_MS, pollMs), left);
      try {
        await sleep(waitMs, signal);
      } catch (reason) {
        throw new AbortError('waiting for the request was aborted', { cause: reason });
      }
    }
  }

  /** The uploads of a put are complete (all its files, or the SURLs given): the SRM registers them in the catalog. */
  putDone(token: string, surls?: readonly string[], options: CallOptions = {}): Promise<SrmRequestStatus> {
    return this.#onFiles(token, surls, options, (body, init) => this.api.POST('/srm/v2/put-done', { ...init, body }));
  }

  /** Unpins the files of a get (all, or the SURLs given). */
  release(token: string, surls?: readonly string[], options: CallOptions = {}): Promise<SrmRequestStatus> {
    return this.#onFiles(token, surls, options, (body, init) => this.api.POST('/srm/v2/release', { ...init, body }));
  }

  /** Stops a request: files not finished are aborted; bytes half-uploaded to a put are removed. */
  abort(token: string, options: CallOptions = {}): Promise<SrmRequestStatus> {
    return this.#write((init) => this.api.POST('/srm/v2/abort', { ...init, body: { token } }), options);
  }

  /** Removes files: the catalog forgets each replica (it decides whether the caller may), then the bytes go. */
  rm(surls: readonly string[], options: CallOptions = {}): Promise<SrmFileStatus[]> {
    return this.#perSurl(surls, (chunk) => this.#write((init) => this.api.POST('/srm/v2/rm', { ...init, body: { surls: chunk } }), options));
  }

  /**
   * Streams a TURL's bytes to `destination`, computing size and adler32 on the way: a file path (written to a
   * temporary name next to it and renamed only when complete, so a failed download leaves nothing), or a
   * stream (written with back-pressure and left open). A TURL that answers an error is a TurlError with its
   * HTTP status. TURLs are capabilities: the client's credentials are not sent to them.
   */
  download(turl: string, destination: string | NodeJS.WritableStream, options: DownloadOptions = {}): Promise<Transferred> {
    return downloadTurl(this.#transport, turl, destination, options);
  }

  /**
   * PUTs a file, or a stream (`size`: its length, when known, as Content-Length), to a TURL, computing size
   * and adler32 of what was sent (the same numbers `putDone` will find).
   */
  upload(turl: string, source: string | NodeJS.ReadableStream, options: UploadOptions = {}): Promise<Transferred> {
    return uploadTurl(this.#transport, turl, source, options);
  }

  /** The generated openapi-fetch client of the SRM contract, for anything the methods above do not cover. */
  get api(): Client<paths, 'application/json'> {
    return this.#transport.api;
  }

  /** Closes the connections this client keeps open. */
  close(): Promise<void> {
    return this.#transport.close();
  }

  #read<T>(send: (init: AttemptInit) => Promise<ApiAnswer<T>>, options: CallOptions): Promise<T> {
    return this.#transport.json(send, { ...options, idempotent: options.idempotent ?? true });
  }

  #write<T>(send: (init: AttemptInit) => Promise<ApiAnswer<T>>, options: CallOptions): Promise<T> {
    return this.#transport.json(send, { ...options, idempotent: options.idempotent ?? false });
  }

  /**
   * An operation on any number of SURLs (ls, rm): as many calls as the contract's 10000 SURLs and the body
   * limit need, one after the other, the files' statuses joined in order. When a call fails after others
   * were answered (so applied), an IncompleteBulkError holds the statuses of those.
   */
  async #perSurl(
    surls: readonly string[],
    call: (chunk: string[]) => Promise<{ readonly files: readonly SrmFileStatus[] }>,
  ): Promise<SrmFileStatus[]> {
    const files: SrmFileStatus[] = [];
    for (const chunk of this.#chunks(surls, 0)) {
      try {
        const answer = await call(chunk);
        files.push(...answer.files);
      } catch (error) {
        if (files.length === 0 || !(error instanceof ReplicatError)) throw error;
        const results = [...files, ...new Array<undefined>(surls.length - files.length)];
        throw new IncompleteBulkError(`${files.length} of ${surls.length} SURLs were answered before a call failed: ${error.message}`, results, error);
      }
    }
    return files;
  }

  /** putDone and release: all files in one call, or the SURLs given in as many calls as they need; the last answer. */
  async #onFiles(
    token: string,
    surls: readonly string[] | undefined,
    options: CallOptions,
    post: (body: { token: string; surls?: string[] }, init: AttemptInit) => Promise<ApiAnswer<SrmRequestStatus>>,
  ): Promise<SrmRequestStatus> {
    if (surls === undefined) return this.#write((init) => post({ token }, init), options);
    if (surls.length === 0) return this.status(token, options);
    let answer: SrmRequestStatus | undefined;
    for (const chunk of this.#chunks(surls, TOKEN_ENVELOPE_BYTES)) answer = await this.#write((init) => post({ token, surls: chunk }, init), options);
    return answer!;
  }

  #chunks(surls: readonly string[], envelopeBytes: number): string[][] {
    const sizes = surls.map((surl) => Buffer.byteLength(JSON.stringify(surl), 'utf8'));
    const limits = { maxItems: SRM_MAX_ITEMS, maxBodyBytes: this.#maxBodyBytes - envelopeBytes };
    return planChunks(sizes, limits).map(({ start, end }) => surls.slice(start, end));
  }
}

function credentialsOf(options: SrmClientOptions): Credentials | undefined {
  const given = [options.credentials, options.token, options.username].filter((c) => c !== undefined).length;
  if (given > 1) throw new TypeError('give one of credentials, token, or username and password');
  if (options.token !== undefined) return { type: 'bearer', token: options.token };
  if (options.username !== undefined) return { type: 'basic', username: options.username, password: options.password ?? '' };
  return options.credentials;
}
