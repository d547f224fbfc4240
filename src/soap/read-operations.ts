/**
 * The SOAP operations (of any port: FiremanCatalog, StorageIndex, MetadataCatalog) that only read the
 * catalog: a read replica may serve them (routed-context.ts). Every other operation runs on the primary.
 */
export const SOAP_READ_OPERATIONS: ReadonlySet<string> = new Set([
  // ServiceBase
  'getVersion',
  'getSchemaVersion',
  'getInterfaceVersion',
  'getServiceMetadata',
  // FiremanCatalog
  'getFileCatalogEntry',
  'getGuidForLfn',
  'getLfnForGuid',
  'locate',
  'getStat',
  'listLfn',
  'listReplicas',
  'getLfnStat',
  'getDefaultGlobalPermission',
  'getDefaultPrincipalPermission',
  'getGuidStat',
  'getSurlStat',
  'hasGuid',
  'listSurlsByGuid',
  'getGuidForSurl',
  'getMasterReplica',
  'listReplicasByGuid',
  // FASBase
  'getPermission',
  'checkPermission',
  // MetadataBase, MetadataSchema
  'getAttributes',
  'listAttributes',
  'listSchemas',
  'describeSchema',
  // StorageIndex
  'listSEbyLFN',
  'listSEbyGUID',
]);
