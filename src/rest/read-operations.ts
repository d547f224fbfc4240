/**
 * The REST operations that only read the catalog: a read replica may serve them (routed-context.ts).
 * Every other operation runs on the primary and answers with a consistency token. An operation listed
 * here must never write: on a replica the write would fail as read-only.
 */
export const READ_OPERATIONS: ReadonlySet<string> = new Set([
  'statEntries',
  'listDirectory',
  'listReplicas',
  'listSeReplicas',
  'lookupGuids',
  'getPermissions',
  'checkPermissions',
  'getAttributes',
  'listAttributes',
  'getSchemaBindings',
  'listSchemas',
  'describeSchema',
  'queryEntries',
  'listStorageElements',
  'getStorageElement',
  'storageIndexSes',
  'rankStorageElements',
  'listUsers',
  'getUser',
  'listGroups',
  'whoami',
  'getLimits',
]);
