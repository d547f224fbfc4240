import { randomUUID } from 'node:crypto';
import type { Express, Request } from 'express';
import pg from 'pg';
import pino from 'pino';
import request from 'supertest';
import type { AuditSink, CatalogContext, Identity } from '../../src/core/context';
import { DEFAULT_METADATA_SETTINGS, type MetadataSettings } from '../../src/core/metadata/metadata-settings';
import type { NameSettings } from '../../src/core/names/name-settings';
import type { StorageSettings } from '../../src/core/storage/storage-settings';
import type { DatabaseHandle } from '../../src/db/database-handle';
import { migrate } from '../../src/db/migrator';
import { setRootOwner } from '../../src/core/namespace/root-owner';
import { loadCursorKey } from '../../src/core/load-cursor-key';
import { openPglite } from '../../src/db/pglite/pglite-database';
import { openPostgres } from '../../src/db/postgres/postgres-database';
import { createRestApp } from '../../src/rest/app';
import { openApiDocument } from '../../src/rest/openapi-document';
import { ContractValidators } from '../../src/rest/validation';

export const TEST_IDENTITY: Identity = { dn: '/DC=org/DC=example/CN=Test User', group: 'testers', groups: [] };

/**
 * Tests manage schemas as the plain TEST_IDENTITY, so schema management is open to everyone here; the
 * production default (admins only) has its own test in test/metadata/schema-managers.test.ts.
 */
export const TEST_METADATA: MetadataSettings = { ...DEFAULT_METADATA_SETTINGS, schemaManagers: 'everyone' };

export const TEST_LIMITS = { maxItems: 10_000, maxBodyBytes: 8 * 1024 * 1024, maxSoapBodyBytes: 8 * 1024 * 1024, defaultPageSize: 1000, maxPageSize: 10_000 };

export interface TestCatalog {
  readonly app: Express;
  readonly database: DatabaseHandle;
  /** For tests that drive core directly (concurrency, atomicity). */
  readonly ctx: CatalogContext;
  /** Which engine this run uses: PGlite by default, PostgreSQL when DATABASE_URL is set. */
  readonly engine: 'pglite' | 'postgres';
  close(): Promise<void>;
}

export interface TestCatalogOptions {
  /**
   * Who each request acts as. The default is the fixed TEST_IDENTITY, so tests that are not about
   * authentication need no credentials; auth tests pass the service's Authenticator here.
   */
  readonly identify?: (req: Request) => Identity | Promise<Identity>;
  /** Site choices about metadata; TEST_METADATA's where absent. */
  readonly metadata?: Partial<MetadataSettings>;
  /** Site choices about storage elements (replicas on unregistered SEs); the defaults when absent. */
  readonly storage?: StorageSettings;
  /** Site choices about the characters of new names; the defaults (invisible ones refused) when absent. */
  readonly names?: NameSettings;
  /** Told when accounts change: auth tests pass their Authenticator's `accountsChanged`. */
  readonly accountsChanged?: () => void;
  /** The statement deadline; 60 s when absent. */
  readonly statementTimeoutMs?: number;
  /** Where audit records go (none when absent). */
  readonly audit?: AuditSink;
}

/**
 * A fresh, migrated catalog for one test file: an in-memory PGlite, or — when DATABASE_URL is set — a
 * new database on that server, dropped afterwards. Tests never share state across files.
 */
export async function startTestCatalog(limits: Partial<typeof TEST_LIMITS> = {}, options: TestCatalogOptions = {}): Promise<TestCatalog> {
  const { database, drop } = await openTestDatabase(options.statementTimeoutMs);
  const metadata: MetadataSettings = { ...TEST_METADATA, ...options.metadata };
  const effective = { ...TEST_LIMITS, ...limits };
  const cursorKey = await loadCursorKey(database.db);
  const app = createRestApp({
    database,
    limits: effective,
    cursorKey,
    identify: options.identify ?? (() => TEST_IDENTITY),
    logger: pino({ level: 'silent' }),
    metadata,
    ...(options.storage !== undefined ? { storage: options.storage } : {}),
    ...(options.names !== undefined ? { names: options.names } : {}),
    ...(options.accountsChanged !== undefined ? { accountsChanged: options.accountsChanged } : {}),
    ...(options.audit !== undefined ? { audit: options.audit } : {}),
  });
  return {
    app,
    database,
    ctx: { db: database.db, identity: TEST_IDENTITY, limits: effective, cursorKey, metadata },
    engine: process.env.DATABASE_URL ? 'postgres' : 'pglite',
    async close() {
      await database.close();
      await drop();
    },
  };
}

/** A fresh migrated database (PGlite in memory, or a new database on DATABASE_URL) and how to drop it. */
export async function openTestDatabase(statementTimeoutMs = 60_000): Promise<{ database: DatabaseHandle; drop: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  let database: DatabaseHandle;
  let drop: () => Promise<void> = async () => undefined;
  if (url) {
    const name = `replicat_test_${randomUUID().replaceAll('-', '')}`;
    await adminQuery(url, `CREATE DATABASE ${name}`);
    const testUrl = new URL(url);
    testUrl.pathname = `/${name}`;
    database = openPostgres({ url: testUrl.toString(), poolSize: 10, connectTimeoutMs: 5000, statementTimeoutMs });
    drop = () => adminQuery(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } else {
    database = await openPglite({ dataDir: undefined, statementTimeoutMs });
  }
  await migrate(database);
  await setRootOwner(database.db, TEST_IDENTITY.dn, TEST_IDENTITY.group);
  return { database, drop };
}

/** One statement on its own connection (CREATE/DROP DATABASE cannot run in a pool's transaction). */
export async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const validators = new ContractValidators(openApiDocument());
const RESPONSE_SCHEMAS: Readonly<Record<string, string>> = {
  '/api/v1/directories': 'EntryResults',
  '/api/v1/files': 'EntryResults',
  '/api/v1/symlinks': 'EntryResults',
  '/api/v1/entries/stat': 'EntryResults',
  '/api/v1/entries/move': 'EntryResults',
  '/api/v1/entries/remove': 'EmptyResults',
  '/api/v1/replicas/add': 'ReplicaResults',
  '/api/v1/replicas/remove': 'EmptyResults',
  '/api/v1/replicas/set-master': 'ReplicaResults',
  '/api/v1/replicas/list': 'ReplicaListResults',
  '/api/v1/guids/lookup': 'GuidLookupResults',
  '/api/v1/permissions/get': 'PermissionResults',
  '/api/v1/permissions/set': 'PermissionResults',
  '/api/v1/permissions/check': 'PermissionCheckResults',
  '/api/v1/entries/chown': 'EntryResults',
};

/** Checks a body against a schema of the OpenAPI document and fails the test with the first issue. */
export function expectContract(schemaName: string, body: unknown): void {
  const issues = validators.schema(`#/components/schemas/${schemaName}`)(body);
  if (issues.length > 0) throw new Error(`response does not match ${schemaName}: ${JSON.stringify(issues)}\n${JSON.stringify(body).slice(0, 2000)}`);
}

export type ItemResult = { ok: true; [field: string]: unknown } | { ok: false; error: { code: string; message: string } };

/**
 * POSTs a bulk request, expects 200, checks the answer against the contract, and returns the results.
 */
export async function bulk(app: Express, path: string, items: readonly unknown[]): Promise<ItemResult[]> {
  const res = await request(app).post(path).send({ items });
  if (res.status !== 200) throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  const schema = RESPONSE_SCHEMAS[path];
  if (schema === undefined) throw new Error(`no response schema known for ${path}`);
  expectContract(schema, res.body);
  const results = (res.body as { results: ItemResult[] }).results;
  expect(results).toHaveLength(items.length);
  return results;
}

/** The error codes of results (`'ok'` for successes), for compact assertions on mixed batches. */
export function codes(results: readonly ItemResult[]): string[] {
  return results.map((r) => (r.ok ? 'ok' : r.error.code));
}

/** A few helpers that read like the feature under test. */
export function catalogApi(app: Express) {
  return {
    mkdir: (...lfns: string[]) => bulk(app, '/api/v1/directories', lfns.map((lfn) => ({ lfn, parents: true }))),
    createFiles: (items: readonly unknown[]) => bulk(app, '/api/v1/files', items),
    symlink: (lfn: string, target: string) => bulk(app, '/api/v1/symlinks', [{ lfn, target }]),
    stat: (items: readonly unknown[]) => bulk(app, '/api/v1/entries/stat', items),
    statOne: async (lfn: string, follow = true) => (await bulk(app, '/api/v1/entries/stat', [{ lfn, follow }]))[0]!,
    move: (items: readonly unknown[]) => bulk(app, '/api/v1/entries/move', items),
    remove: (items: readonly unknown[]) => bulk(app, '/api/v1/entries/remove', items),
    addReplicas: (items: readonly unknown[]) => bulk(app, '/api/v1/replicas/add', items),
    removeReplicas: (items: readonly unknown[]) => bulk(app, '/api/v1/replicas/remove', items),
    setMaster: (items: readonly unknown[]) => bulk(app, '/api/v1/replicas/set-master', items),
    listReplicas: (items: readonly unknown[]) => bulk(app, '/api/v1/replicas/list', items),
    lookupGuids: (items: readonly unknown[]) => bulk(app, '/api/v1/guids/lookup', items),
  };
}
