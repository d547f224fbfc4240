import { ReplicatClient, type Entry, type ItemError } from '@replicat/sdk';
import type { CatalogOutcome, ReplicaLookup, SeDefinition, SrmCaller, SrmCatalog, Upload } from './srm-catalog';

export interface SdkCatalogOptions {
  /** The catalog's root, e.g. `https://catalog.example.org:8443`. */
  readonly baseUrl: string;
  /** CA certificates (PEM) for the catalog's certificate. */
  readonly ca?: string | readonly string[];
}

// The SRM sends one or two items per call: asking the catalog its bulk limits first would double the calls.
const SMALL_BULKS = { maxItems: 1000, maxBodyBytes: 1024 * 1024 };

/**
 * The SRM's catalog over the SDK: each call runs with the SRM caller's own credentials (their
 * `authorization` header passed on), so what the catalog allows that user decides what the SRM does.
 */
export class SdkSrmCatalog implements SrmCatalog {
  readonly #options: SdkCatalogOptions;

  constructor(options: SdkCatalogOptions) {
    this.#options = options;
  }

  async storageElements(caller: SrmCaller): Promise<readonly SeDefinition[]> {
    return this.#with(caller, async (client) => {
      const { data, error } = await client.api.GET('/api/v1/storage-elements');
      if (data === undefined) throw new Error(`the catalog refused to list storage elements: ${JSON.stringify(error)}`);
      return data.storageElements.map((se) => ({
        name: se.name,
        host: se.host,
        surlPrefixes: se.surlPrefixes,
        status: se.status,
        nearline: se.nearline,
        protocols: se.protocols,
      }));
    });
  }

  async fileOfReplica(caller: SrmCaller, surl: string): Promise<ReplicaLookup> {
    return this.#with(caller, async (client) => {
      const [found] = await client.guids.lookup([{ surl }]);
      if (!found!.ok) return { found: false, reason: found!.error.code === 'PermissionDenied' ? 'forbidden' : 'unknown' };
      const [stat] = await client.entries.stat([found!.lfn]);
      if (!stat!.ok) return { found: false, reason: stat!.error.code === 'PermissionDenied' ? 'forbidden' : 'unknown' };
      const entry = stat!.entry;
      return {
        found: true,
        file: { guid: found!.guid, lfn: entry.lfn, size: entry.size ?? null, adler32: entry.checksum?.type === 'adler32' ? entry.checksum.value : null },
      };
    });
  }

  async registerReplica(caller: SrmCaller, upload: Upload): Promise<CatalogOutcome> {
    return this.#with(caller, async (client) => {
      const parent = upload.lfn.slice(0, upload.lfn.lastIndexOf('/'));
      if (parent !== '') {
        const [made] = await client.directories.create([parent], { parents: true, idempotent: true });
        if (!made!.ok && made!.error.code !== 'Exists') return refusal(made!.error);
      }
      const checksum = { type: 'adler32' as const, value: upload.adler32 };
      const [created] = await client.files.create([{ lfn: upload.lfn, size: upload.size, checksum, replicas: [{ surl: upload.surl }] }]);
      if (created!.ok) return { ok: true };
      if (created!.error.code !== 'Exists') return refusal(created!.error);
      // The LFN exists (or the SURL does): a new replica of the same bytes is welcome, other bytes are not.
      const [stat] = await client.entries.stat([{ lfn: upload.lfn, follow: true }]);
      if (!stat!.ok) return refusal(created!.error);
      if (!sameBytes(stat!.entry, upload)) {
        return { ok: false, reason: 'mismatch', message: `${upload.lfn} exists with another size or checksum than the ${upload.size} bytes uploaded` };
      }
      const [added] = await client.replicas.add([{ lfn: upload.lfn, surl: upload.surl }]);
      return added!.ok ? { ok: true } : refusal(added!.error);
    });
  }

  async unregisterReplica(caller: SrmCaller, surl: string): Promise<CatalogOutcome> {
    return this.#with(caller, async (client) => {
      const [found] = await client.guids.lookup([{ surl }]);
      if (!found!.ok) return refusal(found!.error);
      const [removed] = await client.replicas.remove([{ guid: found!.guid, surl }]);
      return removed!.ok ? { ok: true } : refusal(removed!.error);
    });
  }

  async #with<T>(caller: SrmCaller, work: (client: ReplicatClient) => Promise<T>): Promise<T> {
    const client = new ReplicatClient({
      baseUrl: this.#options.baseUrl,
      ...(this.#options.ca !== undefined ? { ca: this.#options.ca } : {}),
      ...(caller.authorization !== undefined ? { headers: { authorization: caller.authorization } } : {}),
      ...SMALL_BULKS,
    });
    try {
      return await work(client);
    } finally {
      await client.close();
    }
  }
}

function sameBytes(entry: Entry, upload: Upload): boolean {
  const adler = entry.checksum?.type === 'adler32' ? entry.checksum.value : undefined;
  return entry.kind === 'file' && (entry.size === undefined || entry.size === upload.size) && (adler === undefined || adler === upload.adler32);
}

function refusal(error: ItemError): CatalogOutcome {
  const reason = error.code === 'PermissionDenied' ? 'forbidden' : error.code === 'Exists' ? 'exists' : error.code === 'NotExists' ? 'unknown' : 'invalid';
  return { ok: false, reason, message: error.message };
}
