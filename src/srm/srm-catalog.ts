import type { Protocol } from '../core/storage/storage-element';

/**
 * Everything the mock SRM asks of the catalog. It talks to the catalog only through the SDK (over HTTP,
 * with the caller's own credentials, so the catalog's rights decide); this narrow interface is what that
 * SDK-backed implementation provides, and what tests fake. Every method is bulk, as the catalog is: an SRM
 * request of a thousand files costs a few catalog calls, not thousands. One answer per item, in order. The
 * REST calls behind each method:
 * - storageElements: `GET /api/v1/storage-elements`;
 * - filesOfReplicas: `POST /api/v1/guids/lookup [{surl}…]` then `POST /api/v1/entries/stat [{lfn}…]`
 *   (NotExists → unknown, PermissionDenied → forbidden);
 * - registerReplicas: `POST /api/v1/directories {parents: true}` for their directories, `POST /api/v1/files
 *   [{lfn, size, checksum: {adler32}, replicas: [{surl}]}…]`; for those that exist, stat the LFNs and compare
 *   size and checksum (mismatch) before `POST /api/v1/replicas/add`;
 * - unregisterReplicas: `POST /api/v1/guids/lookup [{surl}…]` then `POST /api/v1/replicas/remove [{guid, surl}…]`.
 */
export interface SrmCatalog {
  /** The registry: every SE, to place SURLs by the catalog's rule and to read this SRM's own definitions. */
  storageElements(caller: SrmCaller): Promise<readonly SeDefinition[]>;
  /** The catalog's file behind each replica, as the caller may see it. */
  filesOfReplicas(caller: SrmCaller, surls: readonly string[]): Promise<ReplicaLookup[]>;
  /**
   * Records bytes that arrived: creates each file under its `lfn` (with its directories) with size, checksum
   * and this replica, or adds the replica to the existing file when its size and checksum agree.
   */
  registerReplicas(caller: SrmCaller, uploads: readonly Upload[]): Promise<CatalogOutcome[]>;
  /** Forgets replicas whose bytes are being removed. */
  unregisterReplicas(caller: SrmCaller, surls: readonly string[]): Promise<CatalogOutcome[]>;
}

/**
 * The catalog could not say who a caller is (it did not answer, or answered nonsense): the SRM answers 503,
 * not 401, since the caller's credentials may be fine.
 */
export class CatalogUnavailable extends Error {}

/** Who asks the SRM, as the catalog will know them (the credentials are passed on, never looked into). */
export interface SrmCaller {
  /** Names the caller in request ownership checks. */
  readonly id: string;
  /** The `authorization` header (bearer token or Basic) the SDK forwards to the catalog. */
  readonly authorization?: string;
}

export interface SeDefinition {
  readonly name: string;
  readonly host: string;
  readonly surlPrefixes: readonly string[];
  readonly status: 'online' | 'readonly' | 'offline';
  readonly nearline: boolean;
  readonly protocols: readonly Protocol[];
}

export interface CatalogFile {
  readonly guid: string;
  readonly lfn: string;
  readonly size: number | null;
  /** adler32 as 8 hex digits, when the catalog has one. */
  readonly adler32: string | null;
}

export type ReplicaLookup =
  | { readonly found: true; readonly file: CatalogFile }
  | { readonly found: false; readonly reason: 'unknown' | 'forbidden' };

export interface Upload {
  readonly lfn: string;
  readonly surl: string;
  readonly size: number;
  readonly adler32: string;
}

export type CatalogOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'forbidden' | 'exists' | 'mismatch' | 'unknown' | 'invalid'; readonly message: string };
