/**
 * @replicat/sdk: a typed client of the replicat grid file and replica catalog.
 *
 * - `ReplicatClient`: the REST face, typed from the generated contract (`paths`, `components`).
 * - `SoapClient`: the Fireman SOAP ports, typed from the generated port tables.
 * - `SrmClient`: the mock SRM (gets, puts, TURL transfers with adler32), typed from its generated contract.
 * - one error hierarchy (`ReplicatError` and its subclasses) for all three.
 */
export { ReplicatClient, type ReplicatClientOptions } from './replicat-client';
export type * from './contract';
export type { components, operations, paths } from './generated/openapi';
export * from './errors';
export {
  caCertificates,
  credentialsFromEnvironment,
  x509CertificateFiles,
  x509ProxyFile,
  type CredentialSettings,
  type Credentials,
} from './credentials';
export { DEFAULT_RETRY, type RetryOptions } from './retry-policy';
export type { BulkLimits, BulkProgress, ChunkOptions } from './rest/bulk-chunks';
export { DEFAULT_LIMITS, type BulkOptions, type ListOptions } from './rest/calls';
export { Listing } from './rest/listing';
export { Query, type QueryScope } from './rest/metadata-api';
export type { CallOptions, FetchFunction, TransportOptions } from './rest/rest-transport';
export type { FilesApi, DirectoriesApi, EntriesApi, SymlinksApi } from './rest/namespace-api';
export type { ReplicasApi, GuidsApi } from './rest/replica-api';
export type { PermissionsApi } from './rest/permission-api';
export type { AttributesApi, SchemasApi } from './rest/metadata-api';
export type { UsersApi, GroupsApi, TokensApi } from './rest/account-api';
export type { ServiceApi } from './rest/service-api';
export type {
  StorageElementsApi,
  StorageIndexApi,
  StorageElement,
  NewStorageElement,
  StorageElementChanges,
  StorageElementResult,
  StorageIndexItem,
  StorageIndexSesResult,
  RankRequest,
  Ranking,
} from './rest/storage-api';
export { SoapClient } from './soap/soap-client';
export type { SoapOperationDescription, SoapPortDescription, SoapTypeDescription, SoapFieldDescription } from './soap/soap-description';
/** The Fireman SOAP types and port descriptions, generated from the service's port tables. */
export * as Fireman from './generated/soap';
export {
  SrmClient,
  type SrmClientOptions,
  type PrepareToGetOptions,
  type PrepareToPutOptions,
  type WaitOptions,
  type DownloadOptions,
  type UploadOptions,
  type TransferOptions,
  type Transferred,
} from './srm/srm-client';
export type * from './srm/srm-contract';
export { SrmError, SrmTimeoutError, TurlError } from './srm/srm-errors';
export { Adler32 } from './srm/adler32';
export { SRM_MAX_ITEMS } from './generated/srm';
/** The mock SRM's contract as generated from openapi/srm.yaml. */
export type { components as SrmComponents, operations as SrmOperations } from './generated/srm';
