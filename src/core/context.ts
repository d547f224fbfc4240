import type { Db } from '../db/schema';
import { LimitExceeded } from './errors';

/** Who is calling. The DN owns what they create; `group` becomes the group of new entries. */
export interface Identity {
  readonly dn: string;
  readonly group: string;
  /** Every group the caller belongs to (local groups, VOMS FQANs), matched against ACL group entries. */
  readonly groups: readonly string[];
  /** Administrators pass every check; each time that changed an answer, it is audited. */
  readonly admin?: boolean;
}

/** Something worth a permanent record: an admin overriding a denial, a change of permissions. */
export interface AuditEvent {
  readonly action: string;
  readonly actor: string;
  readonly lfn?: string;
  readonly detail?: string;
}

export type AuditSink = (event: AuditEvent) => void;

export interface CatalogLimits {
  readonly maxItems: number;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
}

/** Everything a core operation needs; built by a face (REST, SOAP) per request. */
export interface CatalogContext {
  readonly db: Db;
  readonly identity: Identity;
  readonly limits: CatalogLimits;
  /** Where audit events go; a face wires it to its log. */
  readonly audit?: AuditSink;
  /**
   * `disabled` skips every ACL check. It exists to measure what the checks cost (bench) and for
   * single-user embedded use; a multi-user deployment never sets it.
   */
  readonly authorization?: 'enforced' | 'disabled';
}

/** Every bulk operation refuses a request larger than the configured limit, as a whole. */
export function checkBulkSize(ctx: CatalogContext, count: number): void {
  if (count > ctx.limits.maxItems) {
    throw new LimitExceeded(`too many items: ${count} (the limit is ${ctx.limits.maxItems} per request)`);
  }
}
