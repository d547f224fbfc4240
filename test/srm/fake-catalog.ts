import type { CatalogFile, CatalogOutcome, ReplicaLookup, SeDefinition, SrmCaller, SrmCatalog, Upload } from '../../src/srm/srm-catalog';

/**
 * The catalog as the SRM sees it, in memory: what tests set up and what the SRM recorded. Bulk calls run
 * item by item, in order, and are counted (`calls`) so tests see one catalog call per SRM request.
 */
export class FakeCatalog implements SrmCatalog {
  readonly calls: { op: string; items: number }[] = [];
  readonly ses: SeDefinition[] = [];
  /** SURL → file, as registered. */
  readonly replicas = new Map<string, CatalogFile>();
  /** SURLs (or LFNs, for registration) the caller `mallory` may not touch. */
  readonly forbidden = new Set<string>();

  async storageElements(_caller: SrmCaller): Promise<readonly SeDefinition[]> {
    return this.ses;
  }

  async filesOfReplicas(caller: SrmCaller, surls: readonly string[]): Promise<ReplicaLookup[]> {
    this.calls.push({ op: 'filesOfReplicas', items: surls.length });
    return Promise.all(surls.map((surl) => this.fileOfReplica(caller, surl)));
  }

  async registerReplicas(caller: SrmCaller, uploads: readonly Upload[]): Promise<CatalogOutcome[]> {
    this.calls.push({ op: 'registerReplicas', items: uploads.length });
    const out: CatalogOutcome[] = [];
    for (const upload of uploads) out.push(await this.registerReplica(caller, upload));
    return out;
  }

  async unregisterReplicas(caller: SrmCaller, surls: readonly string[]): Promise<CatalogOutcome[]> {
    this.calls.push({ op: 'unregisterReplicas', items: surls.length });
    const out: CatalogOutcome[] = [];
    for (const surl of surls) out.push(await this.unregisterReplica(caller, surl));
    return out;
  }

  async fileOfReplica(caller: SrmCaller, surl: string): Promise<ReplicaLookup> {
    const file = this.replicas.get(surl);
    if (file === undefined) return { found: false, reason: 'unknown' };
    if (caller.id === 'mallory' && this.forbidden.has(surl)) return { found: false, reason: 'forbidden' };
    return { found: true, file };
  }

  async registerReplica(caller: SrmCaller, upload: Upload): Promise<CatalogOutcome> {
    if (caller.id === 'mallory' && this.forbidden.has(upload.lfn)) return { ok: false, reason: 'forbidden', message: `permission denied: write on ${upload.lfn}` };
    if (this.replicas.has(upload.surl)) return { ok: false, reason: 'exists', message: `replica already registered: ${upload.surl}` };
    const same = [...this.replicas.values()].find((f) => f.lfn === upload.lfn);
    if (same && (same.size !== upload.size || same.adler32 !== upload.adler32)) return { ok: false, reason: 'mismatch', message: 'size or checksum differs from the catalog' };
    this.replicas.set(upload.surl, same ?? { guid: `guid-${this.replicas.size}`, lfn: upload.lfn, size: upload.size, adler32: upload.adler32 });
    return { ok: true };
  }

  async unregisterReplica(caller: SrmCaller, surl: string): Promise<CatalogOutcome> {
    if (!this.replicas.has(surl)) return { ok: false, reason: 'unknown', message: `no such replica: ${surl}` };
    if (caller.id === 'mallory' && this.forbidden.has(surl)) return { ok: false, reason: 'forbidden', message: 'permission denied' };
    this.replicas.delete(surl);
    return { ok: true };
  }
}
