import type { Db } from '../db/schema';
import { LimitExceeded } from './errors';
import { DEFAULT_METADATA_SETTINGS, type MetadataSettings } from './metadata/metadata-settings';

/** Who is calling. The DN is the owner recorded on what they create; groups come with the identity issue. */
export interface Identity {
  readonly dn: string;
  readonly group: string;
  readonly groups: readonly string[];
}

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
  /** Site choices about metadata; absent means the defaults (no free-form attributes). */
  readonly metadata?: MetadataSettings;
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
