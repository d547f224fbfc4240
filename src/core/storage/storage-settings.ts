/** What a site decides about storage elements (see config.ts: REPLICAT_UNREGISTERED_SES). */
export interface StorageSettings {
  /**
   * `allow` (the default): replicas may name any host, registered or not, as before the registry existed,
   * so existing clients and catalogs keep working. `refuse`: a replica must be on a registered SE; a
   * production catalog whose SEs are all known turns this on so that a typo in a SURL host fails at once.
   */
  readonly unregisteredSes: 'allow' | 'refuse';
}

export const DEFAULT_STORAGE_SETTINGS: StorageSettings = { unregisteredSes: 'allow' };
