/**
 * The few catalog calls the load clients make, behind one small interface. It is implemented here over
 * plain HTTP (fetch) because the SDK (sdk/, branch `sdk`) is not merged yet; switching the scenarios to
 * the SDK means one more implementation of this interface (configured with retries off: the scenarios
 * want to see every 503, not have it hidden).
 */
export interface CatalogClient {
  mkdir(lfns: readonly string[]): Promise<ItemResult[]>;
  createFiles(items: readonly NewFile[]): Promise<ItemResult<{ entry: Entry }>[]>;
  stat(lfns: readonly string[]): Promise<ItemResult<{ entry: Entry }>[]>;
  addReplicas(items: readonly { lfn: string; surl: string }[]): Promise<ItemResult[]>;
  listReplicas(lfns: readonly string[]): Promise<ItemResult<{ guid: string; replicas: { surl: string; master: boolean }[] }>[]>;
  move(items: readonly { from: string; to: string }[]): Promise<ItemResult[]>;
  remove(lfns: readonly string[]): Promise<ItemResult[]>;
  setAttributes(items: readonly { lfn: string; attributes: Record<string, string | number> }[]): Promise<ItemResult[]>;
  countQuery(query: string, under: string): Promise<number>;
  createSchema(name: string, attributes: readonly { name: string; type: string }[]): Promise<void>;
}

export interface NewFile {
  readonly lfn: string;
  readonly guid?: string;
  readonly size?: number;
  readonly replicas?: readonly { surl: string }[];
}

export interface Entry {
  readonly lfn: string;
  readonly kind: string;
  readonly guid?: string;
}

export type ItemResult<T = unknown> = ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };

/**
 * A request that failed as a whole: the HTTP status and problem code, or `Network` when no answer came
 * (connection refused or reset, timeout). Carries the service's request id, as the SDK's errors do.
 */
export class RequestFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  constructor(message: string, status: number, code: string, requestId: string | undefined) {
    super(message);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
}

export interface HttpClientOptions {
  readonly baseUrl: string | (() => string);
  readonly authorization: string;
  /** Give up on a request after this long (a hang is a finding, not a wait). */
  readonly timeoutMs: number;
}

/** The CatalogClient over the REST face with fetch; no retries. */
export class HttpCatalogClient implements CatalogClient {
  readonly #options: HttpClientOptions;

  constructor(options: HttpClientOptions) {
    this.#options = options;
  }

  mkdir(lfns: readonly string[]) {
    return this.#bulk('/api/v1/directories', lfns.map((lfn) => ({ lfn, parents: true })));
  }
  createFiles(items: readonly NewFile[]) {
    return this.#bulk<{ entry: Entry }>('/api/v1/files', items);
  }
  stat(lfns: readonly string[]) {
    return this.#bulk<{ entry: Entry }>('/api/v1/entries/stat', lfns.map((lfn) => ({ lfn, follow: false })));
  }
  addReplicas(items: readonly { lfn: string; surl: string }[]) {
    return this.#bulk('/api/v1/replicas/add', items);
  }
  listReplicas(lfns: readonly string[]) {
    return this.#bulk<{ guid: string; replicas: { surl: string; master: boolean }[] }>('/api/v1/replicas/list', lfns.map((lfn) => ({ lfn })));
  }
  move(items: readonly { from: string; to: string }[]) {
    return this.#bulk('/api/v1/entries/move', items);
  }
  remove(lfns: readonly string[]) {
    return this.#bulk('/api/v1/entries/remove', lfns.map((lfn) => ({ lfn })));
  }
  setAttributes(items: readonly { lfn: string; attributes: Record<string, string | number> }[]) {
    return this.#bulk('/api/v1/attributes/set', items);
  }
  async countQuery(query: string, under: string): Promise<number> {
    return ((await this.#post('/api/v1/query', { query, under, count: true })) as { count: number }).count;
  }
  async createSchema(name: string, attributes: readonly { name: string; type: string }[]): Promise<void> {
    try {
      await this.#post('/api/v1/schemas', { name, attributes });
    } catch (error) {
      if (!(error instanceof RequestFailure && error.code === 'Exists')) throw error;
    }
  }

  async #bulk<T>(path: string, items: readonly unknown[]): Promise<ItemResult<T>[]> {
    const body = (await this.#post(path, { items })) as { results: ItemResult<T>[] };
    if (!Array.isArray(body.results) || body.results.length !== items.length) {
      throw new RequestFailure(`${path}: ${items.length} items but ${String(body.results?.length)} results`, 200, 'Contract', undefined);
    }
    return body.results;
  }

  async #post(path: string, body: unknown): Promise<unknown> {
    const base = typeof this.#options.baseUrl === 'string' ? this.#options.baseUrl : this.#options.baseUrl();
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: this.#options.authorization },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new RequestFailure(`${path}: no answer (${cause})`, 0, cause === 'TimeoutError' ? 'Timeout' : 'Network', undefined);
    }
    const requestId = res.headers.get('x-request-id') ?? undefined;
    let parsed: unknown;
    try {
      parsed = await res.json();
    } catch {
      throw new RequestFailure(`${path}: HTTP ${res.status} with a body that is not JSON`, res.status, 'Network', requestId);
    }
    if (!res.ok) {
      const problem = parsed as { code?: string; detail?: string };
      throw new RequestFailure(`${path}: HTTP ${res.status} ${problem.code}: ${problem.detail}`, res.status, problem.code ?? 'Http', requestId);
    }
    return parsed;
  }
}

/** A bearer token for the admin account (Basic would run scrypt on every request). */
export async function adminToken(baseUrl: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` },
    body: JSON.stringify({ ttlSeconds: 24 * 3600 }),
  });
  if (!res.ok) throw new Error(`cannot get a token: HTTP ${res.status} ${await res.text()}`);
  return `Bearer ${((await res.json()) as { token: string }).token}`;
}
