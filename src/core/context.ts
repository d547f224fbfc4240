import type { Db } from '../db/schema';
import type { CursorKey } from './cursor';
import { LimitExceeded } from './errors';
import { DEFAULT_METADATA_SETTINGS, type MetadataSettings } from './metadata/metadata-settings';
import type { NameSettings } from './names/name-settings';
import type { StorageSettings } from './storage/storage-settings';

/** How the caller proved who they are (`fixed`: a face or test that acts as one configured identity). */
export type AuthenticationMethod = 'x509' | 'basic' | 'bearer' | 'anonymous' | 'fixed';

/**
 * Who is calling. The DN is the owner recorded on what they create; `group` is the primary group
 * recorded with it; `groups` are every group the caller acts in (VOMS FQANs, then local groups).
 * The fields after `groups` are optional so that faces and tests that build an identity by hand keep
 * compiling; absent means "no" (not admin, not limited).
 */
export interface Identity {
  readonly dn: string;
  readonly group: string;
  /** Every group the caller belongs to (local groups, VOMS FQANs), matched against ACL group entries. */
  readonly groups: readonly string[];
  /** The admin role: bypasses permission checks (audited) and manages accounts. */
  readonly admin?: boolean;
  readonly method?: AuthenticationMethod;
  /** The local account the caller acts as, when there is one (password, token, or a mapped DN). */
  readonly account?: string;
  /** VOMS FQANs as presented (normalized), a subset of `groups`. */
  readonly fqans?: readonly string[];
  /** Authenticated with a limited proxy: the same DN, flagged so that rules may refuse writes. */
  readonly limited?: boolean;
}

/** Something worth a permanent record: an admin overriding a denial, a change of permissions. */
export interface AuditEvent {
  readonly action: string;
  readonly actor: string;
  readonly lfn?: string;
  readonly detail?: string;
  /** The request that caused it, to find its line in the request log. */
  readonly requestId?: string;
}

export type AuditSink = (event: AuditEvent) => void;

export interface CatalogLimits {
  readonly maxItems: number;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  /** Lifetime of a bearer token when the caller does not ask (default 12 h), and the most it may ask. */
  readonly tokenTtlSeconds?: number;
  readonly maxTokenTtlSeconds?: number;
  /** Names in one storage-index rank request (default 1,000,000): one set-based query, not bulk items. */
  readonly maxRankNames?: number;
  /** Bytes of one rank request body (default 256 MiB), read as it streams in. */
  readonly maxRankBodyBytes?: number;
}

/** Everything a core operation needs; built by a face (REST, SOAP) per request. */
export interface CatalogContext {
  readonly db: Db;
  readonly identity: Identity;
  readonly limits: CatalogLimits;
  /**
   * Seals the cursors of paged listings; the same on every instance over one database (`loadCursorKey`).
   * Absent: a key of this process only, enough for tests and embedded use, not for several instances.
   */
  readonly cursorKey?: CursorKey;
  /** Where audit events go; a face wires it to its log. */
  readonly audit?: AuditSink;
  /**
   * `disabled` skips every ACL check. It exists to measure what the checks cost (bench) and for
   * single-user embedded use; a multi-user deployment never sets it.
   */
  readonly authorization?: 'enforced' | 'disabled';
  /** Site choices about metadata; absent means the defaults (no free-form attributes). */
  readonly metadata?: MetadataSettings;
  /** Site choices about storage elements; absent means the defaults (replicas on unregistered SEs allowed). */
  readonly storage?: StorageSettings;
  /** Site choices about the characters of new names; absent means the defaults (invisible ones refused). */
  readonly names?: NameSettings;
  /**
   * Called after a change to accounts commits (a user disabled, deleted, given a new password or other
   * groups; memberships changed), so that whatever the face remembers about callers is dropped.
   */
  readonly accountsChanged?: () => void;
}

export function metadataSettings(ctx: CatalogContext): MetadataSettings {
  return ctx.metadata ?? DEFAULT_METADATA_SETTINGS;
}

/** Every bulk operation refuses a request larger than the configured limit, as a whole. */
export function checkBulkSize(ctx: CatalogContext, count: number): void {
  if (count > ctx.limits.maxItems) {
    throw new LimitExceeded(`too many items: ${count} (the limit is ${ctx.limits.maxItems} per request)`);
  }
}
