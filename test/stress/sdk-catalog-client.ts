import { IncompleteBulkError, ReplicatClient, ReplicatError, type AttributeDefinition, type Credentials } from '@replicat/sdk';
import { RequestFailure, type CatalogClient, type NewFile } from './catalog-client';

export interface SdkClientOptions {
  /** The service, or several instances: each call goes to the next one in turn. */
  readonly endpoints: readonly string[];
  readonly credentials: Credentials;
  /** Give up on a request after this long (a hang is a finding, not a wait). */
  readonly timeoutMs: number;
}

/**
 * The load clients' calls through the SDK, the way a grid client makes them, with two settings that
 * keep the scenarios honest:
 *
 * - retries off: a 503 or a broken connection is what the scenario must see (and count, and mark the
 *   write uncertain in its ledger), not something hidden behind a backoff;
 * - no chunking: the SDK would cut a bulk larger than the service's limits into several requests, so
 *   that one call could end half answered (IncompleteBulkError) and the kill scenario would no longer
 *   be about one 10,000-item request. Limits set beyond any bulk here make every call one request;
 *   a bulk over the service's own limit is then refused with 413, as a failure the scenario reports.
 *   Fixed limits also spare the GET /api/v1/limits the SDK would otherwise send first.
 *
 * ```ts
 * const client = new SdkCatalogClient({ endpoints: [service.url], credentials: { type: 'bearer', token }, timeoutMs: 60_000 });
 * const [created] = await client.createFiles([{ lfn: '/stress/a', replicas: [{ surl: 'srm://se1/a' }] }]);
 * ```
 */
export class SdkCatalogClient implements CatalogClient {
  readonly #clients: readonly ReplicatClient[];
  #turn = 0;

  constructor(options: SdkClientOptions) {
    if (options.endpoints.length === 0) throw new TypeError('no endpoint');
    this.#clients = options.endpoints.map(
      (baseUrl) =>
        new ReplicatClient({
          baseUrl,
          credentials: options.credentials,
          retry: false,
          timeoutMs: options.timeoutMs,
          maxItems: Number.MAX_SAFE_INTEGER,
          maxBodyBytes: Number.MAX_SAFE_INTEGER,
        }),
    );
  }

  mkdir(lfns: readonly string[]) {
    return this.#call((c) => c.directories.create(lfns, { parents: true }));
  }
  createFiles(items: readonly NewFile[]) {
    return this.#call((c) => c.files.create(items.map(({ replicas, ...file }) => (replicas ? { ...file, replicas: [...replicas] } : file))));
  }
  stat(lfns: readonly string[]) {
    return this.#call((c) => c.entries.stat(lfns.map((lfn) => ({ lfn, follow: false }))));
  }
  addReplicas(items: readonly { lfn: string; surl: string }[]) {
    return this.#call((c) => c.replicas.add(items));
  }
  listReplicas(lfns: readonly string[]) {
    return this.#call((c) => c.replicas.list(lfns));
  }
  move(items: readonly { from: string; to: string }[]) {
    return this.#call((c) => c.entries.move(items));
  }
  remove(lfns: readonly string[]) {
    return this.#call((c) => c.entries.remove(lfns));
  }
  setAttributes(items: readonly { lfn: string; attributes: Record<string, string | number> }[]) {
    return this.#call((c) => c.attributes.set(items));
  }
  countQuery(query: string, under: string): Promise<number> {
    return this.#call((c) => c.query(query, { under }).count());
  }
  async createSchema(name: string, attributes: readonly AttributeDefinition[]): Promise<void> {
    try {
      await this.#call((c) => c.schemas.create({ name, attributes: [...attributes] }));
    } catch (error) {
      if (!(error instanceof RequestFailure && error.code === 'Exists')) throw error;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#clients.map((c) => c.close()));
  }

  /** One call on the next endpoint; a whole-request failure becomes the scenarios' RequestFailure. */
  async #call<T>(send: (client: ReplicatClient) => Promise<T>): Promise<T> {
    const client = this.#clients[this.#turn++ % this.#clients.length]!;
    try {
      return await send(client);
    } catch (error) {
      throw asRequestFailure(error);
    }
  }
}

/**
 * The SDK's error as the scenarios count it: the HTTP status (0 when no answer came), the code
 * (`Unavailable`, `Network`, `Timeout`, …) and the request id to find the request in the service log.
 * Anything that is not a ReplicatError is a bug of the scenario and is thrown as it is.
 */
export function asRequestFailure(error: unknown): unknown {
  if (!(error instanceof ReplicatError)) return error;
  // Cannot happen with chunking off; if it does, the call was several requests, and the scenario must hear of it.
  const code = error instanceof IncompleteBulkError ? 'Incomplete' : error.code;
  return new RequestFailure(`${error.name}: ${error.message}`, error.status ?? 0, code, error.requestId);
}

/**
 * A bearer token for the admin account (Basic would run scrypt on every request), issued through the
 * SDK; the scenarios that send requests by hand put it in their Authorization header themselves.
 */
export async function adminToken(baseUrl: string, password: string): Promise<string> {
  const client = new ReplicatClient({ baseUrl, credentials: { type: 'basic', username: 'admin', password }, timeoutMs: 60_000 });
  try {
    return (await client.tokens.issue({ ttlSeconds: 24 * 3600 })).token;
  } finally {
    await client.close();
  }
}
