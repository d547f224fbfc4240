import type { components, paths } from './generated/openapi';

/**
 * Names for the contract's types, all derived from the generated `paths` and `components` so that
 * nothing here restates openapi/openapi.yaml.
 */
export type Schemas = components['schemas'];

export type Entry = Schemas['Entry'];
export type EntryKind = Schemas['EntryKind'];
export type Replica = Schemas['Replica'];
export type SeReplica = Schemas['SeReplica'];
export type Checksum = Schemas['Checksum'];
export type ErrorCode = Schemas['ErrorCode'];
export type ItemError = Schemas['ItemError'];
export type ItemFailure = Schemas['ItemFailure'];
export type Problem = Schemas['Problem'];
export type Right = Schemas['Right'];
export type Permission = Schemas['Permission'];
export type PermissionChange = Schemas['PermissionChange'];
export type AclEntry = Schemas['AclEntry'];
export type AttributeValue = Schemas['AttributeValue'];
export type AttributeValues = Schemas['AttributeValues'];
export type AttributeDefinition = Schemas['AttributeDefinition'];
export type Schema = Schemas['Schema'];
export type NewSchema = Schemas['NewSchema'];
export type User = Schemas['User'];
export type NewUser = Schemas['NewUser'];
export type UserChanges = Schemas['UserChanges'];
export type Group = Schemas['Group'];
export type Token = Schemas['Token'];
export type TokenInfo = Schemas['TokenInfo'];
export type TokenRequest = Schemas['TokenRequest'];
export type Whoami = Schemas['Whoami'];
export type Limits = Schemas['Limits'];
export type Status = Schemas['Status'];
export type QueryRequest = Schemas['QueryRequest'];

/** Paths of the bulk operations: POST with `{"items": [...]}` answered by `{"results": [...]}`. */
export type BulkPath = {
  [P in keyof paths]: paths[P] extends { post: { requestBody?: { content: { 'application/json': { items: readonly unknown[] } } } } } ? P : never;
}[keyof paths];

type BulkOperation<P extends BulkPath> = paths[P]['post'];

/** One item of a bulk request, e.g. `BulkItem<'/api/v1/files'>` is a CreateFileItem. */
export type BulkItem<P extends BulkPath> = NonNullable<BulkOperation<P>['requestBody']>['content']['application/json']['items'][number];

/**
 * One item's result: `{ok: true, ...fields}` or `{ok: false, error: {code, message}}`, as the contract
 * declares for that path.
 */
export type BulkResult<P extends BulkPath> = BulkOperation<P>['responses'][200]['content']['application/json'] extends {
  results: readonly (infer R)[];
}
  ? R
  : never;

/** A successful result of a bulk path, without the failure branch. */
export type BulkSuccess<P extends BulkPath> = Exclude<BulkResult<P>, ItemFailure>;

export type CreateFileItem = BulkItem<'/api/v1/files'>;
export type MkdirItem = BulkItem<'/api/v1/directories'>;
export type SymlinkItem = BulkItem<'/api/v1/symlinks'>;
export type StatItem = BulkItem<'/api/v1/entries/stat'>;
export type MoveItem = BulkItem<'/api/v1/entries/move'>;
export type RemoveItem = BulkItem<'/api/v1/entries/remove'>;
export type ChownItem = BulkItem<'/api/v1/entries/chown'>;
export type AddReplicaItem = BulkItem<'/api/v1/replicas/add'>;
export type ReplicaRef = BulkItem<'/api/v1/replicas/remove'>;
export type FileRef = BulkItem<'/api/v1/replicas/list'>;
export type GuidLookupItem = BulkItem<'/api/v1/guids/lookup'>;
export type GetPermissionItem = BulkItem<'/api/v1/permissions/get'>;
export type SetPermissionItem = BulkItem<'/api/v1/permissions/set'>;
export type CheckPermissionItem = BulkItem<'/api/v1/permissions/check'>;
export type SetAttributesItem = BulkItem<'/api/v1/attributes/set'>;
export type GetAttributesItem = BulkItem<'/api/v1/attributes/get'>;
export type ClearAttributesItem = BulkItem<'/api/v1/attributes/clear'>;
export type ListAttributesItem = BulkItem<'/api/v1/attributes/list'>;
export type DropMetadataItem = BulkItem<'/api/v1/attributes/drop'>;
export type SchemaBindingItem = BulkItem<'/api/v1/schema-bindings/add'>;
export type SchemaBindingsQueryItem = BulkItem<'/api/v1/schema-bindings/get'>;
export type NewGroup = BulkItem<'/api/v1/groups'>;
export type MembershipChange = BulkItem<'/api/v1/groups/{name}/members'>;

export type EntryResult = BulkResult<'/api/v1/entries/stat'>;
export type EmptyResult = BulkResult<'/api/v1/entries/remove'>;
export type ReplicaResult = BulkResult<'/api/v1/replicas/add'>;
export type ReplicaListResult = BulkResult<'/api/v1/replicas/list'>;
export type GuidLookupResult = BulkResult<'/api/v1/guids/lookup'>;
export type PermissionResult = BulkResult<'/api/v1/permissions/get'>;
export type PermissionCheckResult = BulkResult<'/api/v1/permissions/check'>;
export type AttributeValuesResult = BulkResult<'/api/v1/attributes/get'>;
export type AttributeListResult = BulkResult<'/api/v1/attributes/list'>;
export type SchemaBindingsResult = BulkResult<'/api/v1/schema-bindings/get'>;
export type UserResult = BulkResult<'/api/v1/users'>;
export type GroupResult = BulkResult<'/api/v1/groups'>;
export type MembershipResult = BulkResult<'/api/v1/groups/{name}/members'>;

/** A page of a listing: the items and the cursor of the next page (null on the last). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next: string | null;
}
