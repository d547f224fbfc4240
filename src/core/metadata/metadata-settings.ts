/** What a site decides about metadata (see config.ts: REPLICAT_FREE_FORM_ATTRIBUTES, REPLICAT_SCHEMA_MANAGERS). */
export interface MetadataSettings {
  /** Setting an attribute no schema defines makes it a free-form string attribute instead of failing. */
  readonly freeFormAttributes: boolean;
  /**
   * Who may create, alter and drop schemas. Schemas are shared by every user of the catalog (attribute
   * names are global), so by default only admins may change them; `everyone` suits a single-community site.
   */
  readonly schemaManagers: 'admins' | 'everyone';
}

export const DEFAULT_METADATA_SETTINGS: MetadataSettings = { freeFormAttributes: false, schemaManagers: 'admins' };
