// The catalog core: every rule of the namespace and the replicas, bulk-first, free of HTTP and XML.
export * from './errors';
export * from './result';
export * from './context';
export { CursorKey } from './cursor';
export { loadCursorKey } from './load-cursor-key';
export type { Entry, DirectoryEntry, FileEntry, SymlinkEntry, ListedEntry } from './entry';
export type { Checksum, ChecksumType } from './checksum';
export { parseLfn, type Lfn } from './names/lfn';
export { parseGuid, type Guid } from './names/guid';
export { parseSurl, type Surl } from './names/surl';
export { makeDirectories, type MkdirItem } from './namespace/make-directories';
export { createFiles, type CreateFileItem } from './namespace/create-files';
export { createSymlinks, type SymlinkItem } from './namespace/create-symlinks';
export { statEntries, type StatItem } from './namespace/stat';
export { listDirectory, streamDirectory, streamDirectoryPages, type ListOptions, type Page } from './namespace/list-directory';
export { moveEntries, type MoveItem } from './namespace/move-entries';
export { removeEntries, type RemoveItem } from './namespace/remove-entries';
export type { Replica } from './replicas/replica';
export { addReplicas, type AddReplicaItem } from './replicas/add-replicas';
export { removeReplicas, type RemoveReplicaItem } from './replicas/remove-replicas';
export { setMasterReplicas, type SetMasterItem } from './replicas/set-master';
export { listReplicas, type ListReplicasItem, type FileReplicas } from './replicas/list-replicas';
export { lookupGuids, type GuidLookupItem, type GuidLookup } from './replicas/lookup-guids';
export { listSeReplicas, type SeReplica } from './replicas/list-se-replicas';
export type { Permission, AclEntry, BaseRights } from './access/permission';
export { RIGHTS, type Right } from './access/rights';
export {
  getPermissions,
  setPermissions,
  checkPermissions,
  changeOwners,
  describe as describePermission,
  type GetPermissionItem,
  type SetPermissionItem,
  type CheckPermissionItem,
  type ChownItem,
  type PermissionCheck,
} from './access/permission-ops';
export { setRootOwner } from './namespace/root-owner';
export { replaceAllowPermissions, principalKindOf, type AllowPermissionItem } from './access/replace-allows';
export { defaultGlobalPermission, defaultPrincipalPermission } from './access/default-permission';
export { statGuids, type GuidItem } from './replicas/stat-guids';
export { guidsExist, type HasGuidItem } from './replicas/has-guids';
export { statSurls, type SurlItem } from './replicas/stat-surls';
export { removeGuids, type RemoveGuidItem } from './replicas/remove-guids';
export { updateFileStats, type UpdateFileStatItem } from './replicas/update-file-stats';
export { updateEntryTimes, type UpdateTimesItem } from './namespace/update-times';
export { locateEntries, type LocateOptions } from './namespace/locate';
export type { MetadataSettings } from './metadata/metadata-settings';
export type { AttributeType, AttributeValue } from './metadata/attribute-value';
export type { Schema, SchemaAttribute } from './metadata/schema';
export {
  createSchema,
  listSchemas,
  describeSchema,
  addSchemaAttributes,
  removeSchemaAttributes,
  dropSchema,
  type NewSchema,
  type ForceOption,
} from './metadata/manage-schemas';
export { setAttributes, type SetAttributesItem } from './metadata/set-attributes';
export { getAttributes, listAttributes, type GetAttributesItem, type ListAttributesItem, type AttributeInfo } from './metadata/get-attributes';
export { clearAttributes, type ClearAttributesItem } from './metadata/clear-attributes';
export {
  bindSchemas,
  unbindSchemas,
  removeMetadataEntries,
  getSchemaBindings,
  type BindSchemaItem,
  type BindOptions,
  type MetadataEntryItem,
  type SchemaBindings,
} from './metadata/schema-bindings';
export type { EntryAttribute } from './metadata/entry-values';
export { queryEntries, countEntries, streamEntries, type QueryRequest, type QueryPageOptions } from './metadata/query-entries';
export { parseQuery } from './metadata/query/parser';
export { QueryError } from './metadata/query/query-error';
