import { randomUUID } from 'node:crypto';
import createClient, { type Client } from 'openapi-fetch';
import { Agent, fetch as undiciFetch, Request as UndiciRequest, type Dispatcher } from 'undici';
import { AttemptSignal } from '../attempt-signal';
import { CONSISTENCY_HEADER, ConsistencyToken } from './consistency-token';
import { authorizationHeader, type Credentials } from '../credentials';
import { AbortError, errorFromResponse, HttpError, NetworkError, ReplicatError } from '../errors';
import type { paths } from '../generated/openapi';
import { DEFAULT_RETRY, failedBeforeSending, isTlsFailure, parseRetryAfter, retryDelay, sleep, type RetryOptions } from '../retry-policy';

/** A fetch as openapi-fetch calls it; tests pass a stub, production uses undici's own fetch. */
export type FetchFunction = (request: Request) => Promise<Response>;

/** How a service's answer of failure becomes an error: the catalog's problem+json by default. */
export type ErrorFromResponse = (status: number, body: unknown, requestId: string | undefined) => ReplicatError;

export interface TransportOptions {
  /** The service's root, e.g. `https://catalog.example.org:8443` (paths start with /api/v1). */
  readonly baseUrl: string;
  readonly credentials?: Credentials;
  /** CA certificates (PEM) to trust for the service's certificate instead of Node's defaults. */
  readonly ca?: string | readonly string[];
  /** Default true; false only for a test service with a certificate nobody signed. */
  readonly rejectUnauthorized?: boolean;
  /** Per attempt: the longest wait for an answer (for streams: between two chunks). Default 120 s. */
  readonly timeoutMs?: number;
  /** Backoff of retried calls; false: never retry. */
  readonly retry?: Partial<RetryOptions> | false;
  /** Headers sent with every request (a User-Agent, say). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Replaces the HTTP stack (tests); credentials other than X.509 still become headers. */
  readonly fetch?: FetchFunction;
}

export interface CallOptions {
  /** Cancels the call: waiting, in flight, or between retries. */
  readonly signal?: AbortSignal;
  /** This call's per-attempt timeout instead of the client's. */
  readonly timeoutMs?: number;
  /**
   * Whether the call may be repeated after a 503 or a broken connection. Reads are; writes are not
   * unless the caller sets this (see the README for the writes where repeating is harmless).
   */
  readonly idempotent?: boolean;
}

/** What every openapi-fetch call answers; `data` when the status is 2xx, `error` (the body) otherwise. */
export interface ApiAnswer<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

/** What the sending function of a call gets for one attempt (a type, not an interface: openapi-fetch's init takes extra keys). */
export type AttemptInit = {
  readonly signal: AbortSignal;
  readonly headers: Record<string, string>;
};

/** How one attempt ended: with a value, or with the service's answer of failure as an error. */
export type Outcome<T> = { readonly value: T } | { readonly failed: ReplicatError; readonly response: Response };

/** An answered stream: its body, and the attempt whose signal must be touched per chunk and disposed. */
/** A request outside a contract's typed paths: a TURL, read or written as a stream. */
export interface RawRequest {
  readonly method: 'GET' | 'HEAD' | 'PUT';
  readonly headers: Readonly<Record<string, string>>;
  /** Sent as it is read (chunked, unless the headers give its content-length). */
  readonly body?: AsyncIterable<Uint8Array>;
  readonly signal: AbortSignal;
}

export interface OpenStream {
  readonly body: ReadableStream<Uint8Array> | undefined;
  readonly attempt: AttemptSignal;
  readonly requestId: string | undefined;
}

const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * The HTTP side of the client: the typed openapi-fetch client over undici's own fetch (so that the TLS
 * agent for X.509 credentials is the undici the fetch belongs to, whatever Node bundles), plus the
 * rules every call shares: authentication headers, request ids, per-attempt timeouts, cancellation,
 * retries of idempotent calls, and errors from problem+json.
 *
 * `P` is the contract's generated `paths`: the catalog's by default, the mock SRM's for the SrmClient
 * (which also maps the SRM's `{status, explanation}` failures with its own `answerError`).
 */
export class RestTransport<P extends {} = paths> {
  readonly api: Client<P, 'application/json'>;
  readonly #retry: RetryOptions;
  readonly #timeoutMs: number;
  readonly #agent: Agent | undefined;
  readonly #fetch: FetchFunction;
  /** `#fetch` for the service's own requests: they carry the newest consistency token, and note new ones. */
  readonly #serviceFetch: FetchFunction;
  /** The newest consistency token of this client's writes (read-your-writes on read replicas). */
  readonly consistency = new ConsistencyToken();
  readonly #baseUrl: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #answerError: ErrorFromResponse;

  constructor(options: TransportOptions, answerError: ErrorFromResponse = errorFromResponse) {
    this.#answerError = answerError;
    const credentials = options.credentials ?? { type: 'none' };
    const url = new URL(options.baseUrl);
    if (credentials.type === 'x509' && url.protocol !== 'https:') {
      throw new TypeError(`X.509 credentials need an https:// endpoint, not ${url.origin}`);
    }
    this.#retry = options.retry === false ? { ...DEFAULT_RETRY, retries: 0 } : { ...DEFAULT_RETRY, ...options.retry };
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#agent = options.fetch === undefined ? makeAgent(credentials, options) : undefined;
    const authorization = authorizationHeader(credentials);
    this.#fetch = options.fetch ?? this.#undiciFetch();
    this.#serviceFetch = this.#withConsistency(this.#fetch);
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#headers = { ...options.headers, ...(authorization !== undefined ? { authorization } : {}) };
    this.api = createClient<P, 'application/json'>({
      baseUrl: this.#baseUrl,
      fetch: this.#serviceFetch,
      // Requests are built with the Request of the undici that sends them: Node's global Request comes
      // from Node's bundled undici, whose instances undici's fetch does not take. The types only differ
      // in name (both are the Fetch standard's).
      Request: UndiciRequest as unknown as typeof Request,
      headers: this.#headers,
    });
  }

  /** A request outside the OpenAPI contract (the SOAP ports), with the client's headers and HTTP stack. */
  post(path: string, body: string, headers: Readonly<Record<string, string>>, signal: AbortSignal): Promise<Response> {
    const request = new UndiciRequest(`${this.#baseUrl}${path}`, { method: 'POST', body, headers: { ...this.#headers, ...headers }, signal });
    return this.#serviceFetch(request as unknown as Request);
  }

  /**
   * A request to any URL, such as a TURL on a storage host, over this client's HTTP stack (its TLS agent: CA
   * and X.509 certificate) but without its headers, which carry the service's credentials: a TURL is a
   * capability of its own, and a storage host is not to see the caller's token or password.
   */
  send(url: string, request: RawRequest): Promise<Response> {
    const { body, ...rest } = request;
    const init = body === undefined ? rest : { ...rest, body, duplex: 'half' as const };
    return this.#fetch(new UndiciRequest(url, init) as unknown as Request);
  }

  /** A JSON call: the answer's body, or the error of the service's problem. */
  async json<T>(send: (init: AttemptInit) => Promise<ApiAnswer<T>>, options: CallOptions & { readonly idempotent: boolean }): Promise<T> {
    return this.exchange<T>(options, async (attempt, init) => {
      try {
        const answer = await send(init);
        if (!answer.response.ok) return this.#problemOf(answer);
        if (answer.data === undefined) {
          throw new HttpError(`HTTP ${answer.response.status} without a body`, requestIdOf(answer.response));
        }
        return { value: answer.data };
      } finally {
        attempt.dispose();
      }
    });
  }

  /** A call answered with no body (204). */
  async empty(send: (init: AttemptInit) => Promise<ApiAnswer<unknown>>, options: CallOptions & { readonly idempotent: boolean }): Promise<void> {
    await this.exchange<undefined>(options, async (attempt, init) => {
      try {
        const answer = await send(init);
        return answer.response.ok ? { value: undefined } : this.#problemOf(answer);
      } finally {
        attempt.dispose();
      }
    });
  }

  /**
   * A streamed answer (NDJSON): retried like a call until the service answers 200; from then on the
   * caller reads the body, touching the attempt per chunk and disposing of it at the end.
   */
  async stream(
    send: (init: AttemptInit) => Promise<ApiAnswer<ReadableStream<Uint8Array> | null>>,
    options: CallOptions & { readonly idempotent: boolean },
  ): Promise<OpenStream> {
    return this.exchange<OpenStream>(options, async (attempt, init) => {
      let answer: ApiAnswer<ReadableStream<Uint8Array> | null>;
      try {
        answer = await send(init);
      } catch (error) {
        attempt.dispose();
        throw error;
      }
      if (!answer.response.ok) {
        attempt.dispose();
        return this.#problemOf(answer);
      }
      const requestId = answer.response.headers.get('x-request-id') ?? undefined;
      return { value: { body: answer.data ?? undefined, attempt, requestId } };
    });
  }

  async close(): Promise<void> {
    await this.#agent?.close();
  }

  /** This call's timeout, for streams read outside the transport. */
  timeoutFor(options: CallOptions): number {
    return options.timeoutMs ?? this.#timeoutMs;
  }

  /**
   * One call, attempt after attempt: `run` makes an attempt and says how it ended; a 503 (of an
   * idempotent call) or a transport failure (see retry-policy.ts) is tried again after a backoff.
   * `once`: the request cannot be made again (its body is a stream read as it is sent), whatever failed.
   */
  async exchange<T>(
    options: CallOptions & { readonly idempotent: boolean; readonly once?: boolean },
    run: (attempt: AttemptSignal, init: AttemptInit) => Promise<Outcome<T>>,
  ): Promise<T> {
    const requestId = randomUUID();
    for (let retry = 0; ; retry++) {
      const attempt = new AttemptSignal(this.timeoutFor(options), options.signal, requestId);
      let failure: ReplicatError;
      let retryable: boolean;
      let retryAfterMs: number | undefined;
      try {
        const outcome = await run(attempt, { signal: attempt.signal, headers: { 'x-request-id': requestId } });
        if ('value' in outcome) return outcome.value;
        const { response } = outcome;
        failure = outcome.failed;
        retryable = response.status === 503 && options.idempotent;
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      } catch (thrown) {
        const explained = attempt.explain();
        if (explained !== undefined) throw explained;
        if (thrown instanceof ReplicatError) throw thrown;
        failure = new NetworkError(describeTransportError(thrown), { cause: thrown, requestId });
        retryable = !isTlsFailure(thrown) && (options.idempotent || failedBeforeSending(thrown));
      }
      if (!retryable || options.once === true || retry >= this.#retry.retries) throw failure;
      try {
        await sleep(retryDelay(this.#retry, retry, retryAfterMs), options.signal);
      } catch (reason) {
        throw new AbortError('the call was aborted', { cause: reason });
      }
    }
  }

  #problemOf(answer: ApiAnswer<unknown>): Outcome<never> {
    const { response, error } = answer;
    return { failed: this.#answerError(response.status, error, response.headers.get('x-request-id') ?? undefined), response };
  }

  /** TURLs on storage hosts go through `#fetch` and never see the token: it is the catalog's business. */
  #withConsistency(send: FetchFunction): FetchFunction {
    return async (request) => {
      const token = this.consistency.current;
      if (token !== undefined && !request.headers.has(CONSISTENCY_HEADER)) request.headers.set(CONSISTENCY_HEADER, token);
      const response = await send(request);
      this.consistency.note(response.headers.get(CONSISTENCY_HEADER));
      return response;
    };
  }

  #undiciFetch(): FetchFunction {
    const dispatcher: Dispatcher | undefined = this.#agent;
    // undici's fetch takes undici's Request, which openapi-fetch builds here (the Request option); the
    // DOM-typed signature is only what openapi-fetch declares.
    const send = undiciFetch as unknown as (request: Request, init: { dispatcher?: Dispatcher }) => Promise<Response>;
    return (request) => send(request, dispatcher !== undefined ? { dispatcher } : {});
  }
}

function makeAgent(credentials: Credentials, options: TransportOptions): Agent {
  const ca = options.ca === undefined ? undefined : typeof options.ca === 'string' ? [options.ca] : [...options.ca];
  return new Agent({
    connect: {
      ...(ca !== undefined ? { ca } : {}),
      ...(credentials.type === 'x509' ? { cert: credentials.certificate, key: credentials.key } : {}),
      rejectUnauthorized: options.rejectUnauthorized ?? true,
    },
  });
}

function requestIdOf(response: Response): { requestId?: string } {
  const id = response.headers.get('x-request-id');
  return id === null ? {} : { requestId: id };
}

/**
 * fetch says only "fetch failed"; the socket's or TLS layer's reason is in its cause. Read by shape, not
 * `instanceof Error`: errors made by Node itself may come from another realm (a test runner's sandbox).
 */
function describeTransportError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const { message, cause } = current as { message?: unknown; cause?: unknown };
    if (typeof message === 'string' && message !== '') parts.push(message);
    current = cause;
  }
  return parts.length > 0 ? parts.join(': ') : String(error);
}
