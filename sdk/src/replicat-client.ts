import type { Client } from 'openapi-fetch';
import type { Whoami } from './contract';
import type { paths } from './generated/openapi';
import { GroupsApi, TokensApi, UsersApi } from './rest/account-api';
import type { BulkLimits } from './rest/bulk-chunks';
import { Calls, type ListOptions } from './rest/calls';
import { AttributesApi, Query, SchemasApi, type QueryScope } from './rest/metadata-api';
import { DirectoriesApi, EntriesApi, FilesApi, SymlinksApi } from './rest/namespace-api';
import { PermissionsApi } from './rest/permission-api';
import { GuidsApi, ReplicasApi } from './rest/replica-api';
import { RestTransport, type CallOptions, type TransportOptions } from './rest/rest-transport';
import { ServiceApi } from './rest/service-api';
import { StorageElementsApi, StorageIndexApi } from './rest/storage-api';

export interface ReplicatClientOptions extends TransportOptions, Partial<BulkLimits> {}

/**
 * The replicat REST client: typed groups of operations over the generated contract, with bulk calls cut
 * to the service's limits, retries of reads, timeouts, cancellation and one error hierarchy.
 *
 * ```ts
 * import { ReplicatClient, credentialsFromEnvironment } from '@replicat/sdk';
 *
 * const client = new ReplicatClient({ baseUrl: 'https://catalog.example.org:8443', ...credentialsFromEnvironment() });
 * await client.directories.create(['/grid/vo/run1'], { parents: true });
 * const results = await client.files.create(files);            // any number: cut into requests of the service's limit
 * for await (const entry of client.dir.list('/grid/vo/run1')) console.log(entry.lfn);
 * await client.close();
 * ```
 *
 * Every method takes `{signal, timeoutMs, idempotent}`; bulk methods also `{concurrency, onProgress}`.
 * Bulk methods answer one result per item, in order: `{ok: true, ...}` or `{ok: false, error}`; they
 * throw only when a request fails as a whole.
 */
export class ReplicatClient {
  readonly files: FilesApi;
  readonly directories: DirectoriesApi;
  /** The same as `directories`: `client.dir.list('/grid/vo')`. */
  readonly dir: DirectoriesApi;
  readonly entries: EntriesApi;
  readonly symlinks: SymlinksApi;
  readonly replicas: ReplicasApi;
  readonly guids: GuidsApi;
  readonly permissions: PermissionsApi;
  readonly attributes: AttributesApi;
  readonly schemas: SchemasApi;
  readonly users: UsersApi;
  readonly groups: GroupsApi;
  readonly tokens: TokensApi;
  readonly storageElements: StorageElementsApi;
  readonly storageIndex: StorageIndexApi;
  readonly service: ServiceApi;
  readonly #transport: RestTransport;
  readonly #calls: Calls;

  constructor(options: ReplicatClientOptions) {
    this.#transport = new RestTransport(options);
    const calls = new Calls(this.#transport, {
      ...(options.maxItems !== undefined ? { maxItems: options.maxItems } : {}),
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    });
    this.#calls = calls;
    this.files = new FilesApi(calls);
    this.directories = new DirectoriesApi(calls);
    this.dir = this.directories;
    this.entries = new EntriesApi(calls);
    this.symlinks = new SymlinksApi(calls);
    this.replicas = new ReplicasApi(calls);
    this.guids = new GuidsApi(calls);
    this.permissions = new PermissionsApi(calls);
    this.attributes = new AttributesApi(calls);
    this.schemas = new SchemasApi(calls);
    this.users = new UsersApi(calls);
    this.groups = new GroupsApi(calls);
    this.tokens = new TokensApi(calls);
    this.storageElements = new StorageElementsApi(calls);
    this.storageIndex = new StorageIndexApi(calls);
    this.service = new ServiceApi(calls);
  }

  /** Who the service takes the caller for: DN, groups and FQANs, how they authenticated. */
  whoami(options: CallOptions = {}): Promise<Whoami> {
    return this.#calls.read((init) => this.#calls.api.GET('/api/v1/whoami', init), options);
  }

  /**
   * Entries matching a metadata query (docs/query.md): iterate, page, or `count()`.
   *
   * ```ts
   * for await (const e of client.query("run > 1000 AND detector = 'tpc'", { under: '/grid/vo' })) console.log(e.lfn);
   * ```
   */
  query(query: string, options: QueryScope & ListOptions = {}): Query {
    const { under, inherit, kind, ...listOptions } = options;
    const scope: QueryScope = {
      ...(under !== undefined ? { under } : {}),
      ...(inherit !== undefined ? { inherit } : {}),
      ...(kind !== undefined ? { kind } : {}),
    };
    return new Query(this.#calls, query, scope, listOptions);
  }

  /** The bulk limits in force: the client's own, else the service's (asked once). */
  limits(options: CallOptions = {}): Promise<BulkLimits> {
    return this.#calls.limits(options);
  }

  /**
   * The newest consistency token the service answered this client's writes with; the client sends it on
   * every request by itself, so that read replicas show it its own writes. Another process that is to
   * read those writes can be given it (header `Replicat-Consistency`).
   */
  get consistencyToken(): string | undefined {
    return this.#transport.consistency.current;
  }

  /** The generated openapi-fetch client, for anything the groups above do not cover. */
  get api(): Client<paths, 'application/json'> {
    return this.#transport.api;
  }

  /** Closes the connections this client keeps open. */
  close(): Promise<void> {
    return this.#transport.close();
  }
}
