import type { Request } from 'express';
import type { Logger } from 'pino';
import type { AuditSink, CatalogContext, CatalogLimits, Identity } from './core/context';
import type { MetadataSettings } from './core/metadata/metadata-settings';
import type { NameSettings } from './core/names/name-settings';
import type { StorageSettings } from './core/storage/storage-settings';
import type { DatabaseHandle } from './db/database-handle';

/** What every face (REST, SOAP) is built from. */
export interface FaceOptions {
  readonly database: DatabaseHandle;
  readonly limits: CatalogLimits & { readonly maxBodyBytes: number };
  /**
   * Decides who the caller is, before the body is read: the service's `Authenticator`, or a fixed
   * identity for tests. Throwing NotAuthenticated answers 401.
   */
  readonly identify: (req: Request) => Identity | Promise<Identity>;
  readonly logger: Logger;
  readonly authorization?: 'enforced' | 'disabled';
  readonly audit?: AuditSink;
  /** Site choices about metadata (free-form attributes); the defaults when absent. */
  readonly metadata?: MetadataSettings;
  /** Site choices about storage elements (replicas on unregistered SEs); the defaults when absent. */
  readonly storage?: StorageSettings;
  /** Site choices about the characters of new names (invisible ones); the defaults when absent. */
  readonly names?: NameSettings;
  /** Told when accounts change (the authenticator forgets the identities it remembered). */
  readonly accountsChanged?: () => void;
}

/** The one way a face turns an authenticated request into the context core operations run in. */
export function catalogContext(options: FaceOptions, identity: Identity, requestId?: string): CatalogContext {
  const audit = options.audit;
  return {
    db: options.database.db,
    identity,
    limits: options.limits,
    authorization: options.authorization ?? 'enforced',
    ...(audit ? { audit: requestId === undefined ? audit : (event) => audit({ ...event, requestId }) } : {}),
    ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
    ...(options.storage !== undefined ? { storage: options.storage } : {}),
    ...(options.names !== undefined ? { names: options.names } : {}),
    ...(options.accountsChanged !== undefined ? { accountsChanged: options.accountsChanged } : {}),
  };
}
