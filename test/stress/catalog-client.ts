import type { AttributeDefinition } from '@replicat/sdk';

/**
 * The few catalog calls the load clients make, behind one small interface: the ledger logic in load.ts
 * is written against it, whatever sends the requests. SdkCatalogClient (sdk-catalog-client.ts) makes
 * them through the SDK; the hostile-input and authorization scenarios send their malformed and forged
 * requests by hand instead, since an SDK would not let them.
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
  createSchema(name: string, attributes: readonly AttributeDefinition[]): Promise<void>;
  /** Lets go of the connections it keeps. */
  close(): Promise<void>;
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
 * (connection refused or reset), `Timeout` when it came too late. Carries the service's request id.
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
