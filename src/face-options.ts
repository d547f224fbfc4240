import type { Request } from 'express';
import type { Logger } from 'pino';
import type { AuditSink, CatalogContext, CatalogLimits, Identity } from './core/context';
import type { CursorKey } from './core/cursor';
import type { MetadataSettings } from './core/metadata/metadata-settings';
import type { NameSettings } from './core/names/name-settings';
import type { StorageSettings } from './core/storage/storage-settings';
import type { DatabaseHandle } from './db/database-handle';

/** The SOAP face's body limit when none is configured (REPLICAT_SOAP_MAX_BODY_BYTES). */
export const DEFAULT_SOAP_MAX_BODY_BYTES = 8 * 1024 * 1024;

/** What every face (REST, SOAP) is built from. */
export interface FaceOptions {
  readonly database: DatabaseHandle;
  /** `maxSoapBodyBytes` bounds SOAP envelopes on their own (XML costs more to read than JSON). */
  readonly limits: CatalogLimits & { readonly maxBodyBytes: number; readonly maxSoapBodyBytes?: number };
  /**
   * Seals listing cursors: `loadCursorKey(database.db)`, so that every instance over the database agrees.
   * Absent: a key of this process only (tests).
   */
  readonly cursorKey?: CursorKey;
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
    ...(options.cursorKey !== undefined ? { cursorKey: options.cursorKey } : {}),
    ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
    ...(options.storage !== undefined ? { storage: options.storage } : {}),
    ...(options.names !== undefined ? { names: options.names } : {}),
    ...(options.accountsChanged !== undefined ? { accountsChanged: options.accountsChanged } : {}),
  };
}
