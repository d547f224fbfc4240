import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

/** The database schema, typed once; kysely checks every query against it. Mirrors migrations/. */
export interface Database {
  entries: EntriesTable;
  replicas: ReplicasTable;
  metadata_schemas: MetadataSchemasTable;
  metadata_attributes: MetadataAttributesTable;
  metadata_values: MetadataValuesTable;
  metadata_bindings: MetadataBindingsTable;
  schema_migrations: SchemaMigrationsTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  tokens: TokensTable;
  storage_elements: StorageElementsTable;
  storage_element_prefixes: StorageElementPrefixesTable;
  service_secrets: ServiceSecretsTable;
}

export type EntryKind = 'directory' | 'file' | 'symlink';

export interface EntriesTable {
  id: string;
  parent_id: string | null;
  lfn: string;
  name: string;
  kind: EntryKind;
  guid: string | null;
  target: string | null;
  // int8 columns are parsed to numbers by both dialects (sizes stay below 2^53).
  size: number | null;
  checksum_type: 'adler32' | 'md5' | null;
  checksum: string | null;
  status: Generated<number>;
  owner_dn: string;
  group_name: string;
  ctime: ColumnType<Date, Date | undefined, Date>;
  mtime: ColumnType<Date, Date | undefined, Date>;
  validity: Date | null;
  perm_owner: ColumnType<number, number | undefined, number>;
  perm_group: ColumnType<number, number | undefined, number>;
  perm_other: ColumnType<number, number | undefined, number>;
  /** The ordered ACL (see core/access/permission.ts); drivers hand jsonb back parsed. */
  acl: ColumnType<unknown, string | undefined, string>;
}

export type ReplicaStatus = 'available' | 'unavailable';

export interface ReplicasTable {
  guid: string;
  surl: string;
  se: string;
  status: ColumnType<ReplicaStatus, ReplicaStatus | undefined, ReplicaStatus>;
  is_master: boolean;
  ctime: ColumnType<Date, Date | undefined, Date>;
  mtime: ColumnType<Date, Date | undefined, Date>;
}

export type AttributeType = 'string' | 'int' | 'float' | 'bool' | 'timestamp';

export interface MetadataSchemasTable {
  id: string;
  name: string;
  ctime: ColumnType<Date, Date | undefined, Date>;
}

export interface MetadataAttributesTable {
  id: string;
  /** null for a free-form attribute (always a string). */
  schema_id: string | null;
  name: string;
  type: AttributeType;
  ctime: ColumnType<Date, Date | undefined, Date>;
}

/** One value per (entry, attribute); exactly one typed column is set, the one of the attribute's type. */
export interface MetadataValuesTable {
  entry_id: string;
  attribute_id: string;
  v_text: string | null;
  // int8: parsed to a number by both dialects; values are kept within ±(2^53 − 1).
  v_int: number | null;
  v_float: number | null;
  v_bool: boolean | null;
  v_time: Date | null;
}

/** An entry bound to a schema (migrations/0005_schema_bindings.sql). */
export interface MetadataBindingsTable {
  entry_id: string;
  schema_id: string;
  ctime: ColumnType<Date, Date | undefined, never>;
}

export interface SchemaMigrationsTable {
  version: string;
  name: string;
  checksum: string;
  applied_at: ColumnType<Date, Date | undefined, never>;
}

/** Local accounts (migrations/0004_accounts.sql). */
export interface UsersTable {
  name: string;
  password_hash: string | null;
  dn: string | null;
  admin: ColumnType<boolean, boolean | undefined, boolean>;
  disabled: ColumnType<boolean, boolean | undefined, boolean>;
  ctime: ColumnType<Date, Date | undefined, Date>;
  mtime: ColumnType<Date, Date | undefined, Date>;
}

export interface GroupsTable {
  name: string;
  ctime: ColumnType<Date, Date | undefined, Date>;
}

export interface GroupMembersTable {
  group_name: string;
  user_name: string;
}

export interface TokensTable {
  token_hash: string;
  /** Public: the first 32 hex digits of token_hash. */
  id: string;
  label: string | null;
  user_name: string;
  ctime: ColumnType<Date, Date | undefined, Date>;
  expires: Date;
}

/** Secrets shared by every instance over the database (migrations/0007_service_secrets.sql). */
export interface ServiceSecretsTable {
  name: string;
  /** bytea: a Buffer from pg, a Uint8Array from PGlite. */
  secret: Uint8Array;
  ctime: ColumnType<Date, Date | undefined, Date>;
}

export type StorageElementStatus = 'online' | 'readonly' | 'offline';

/** The storage element registry (migrations/0006_storage_elements.sql). */
export interface StorageElementsTable {
  name: string;
  host: string;
  status: StorageElementStatus;
  nearline: boolean;
  /** `[{scheme, turlTemplate}]`; drivers hand jsonb back parsed. */
  protocols: ColumnType<unknown, string, string>;
  ctime: ColumnType<Date, Date | undefined, Date>;
  mtime: ColumnType<Date, Date | undefined, Date>;
}

export interface StorageElementPrefixesTable {
  prefix: string;
  se_name: string;
  host: string;
  position: number;
}

export type Db = Kysely<Database>;
/** Anything queries can run on: the pool or an open transaction. */
export type Queryable = Kysely<Database> | Transaction<Database>;
