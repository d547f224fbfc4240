/** What a site decides about metadata (see config.ts: REPLICAT_FREE_FORM_ATTRIBUTES). */
export interface MetadataSettings {
  /** Setting an attribute no schema defines makes it a free-form string attribute instead of failing. */
  readonly freeFormAttributes: boolean;
}

export const DEFAULT_METADATA_SETTINGS: MetadataSettings = { freeFormAttributes: false };
