import { ReplicatClient, type Entry, type ItemError } from '@replicat/sdk';
import type { CatalogOutcome, ReplicaLookup, SeDefinition, SrmCaller, SrmCatalog, Upload } from './srm-catalog';

export interface SdkCatalogOptions {
  /** The catalog's root, e.g. `https://catalog.example.org:8443`. */
  readonly baseUrl: string;
  /** CA certificates (PEM) for the catalog's certificate. */
  readonly ca?: string | readonly string[];
  /** Clients (one per caller's credentials, each with its kept-alive connections) held at most. */
  readonly maxClients?: number;
}

// The catalog's default bulk limits: asking for them first would add a call to every SRM request.
const BULKS = { maxItems: 10_000, maxBodyBytes: 4 * 1024 * 1024 };

/**
 * The SRM's catalog over the SDK: each call runs with the SRM caller's own credentials (their
 * `authorization` header passed on), so what the catalog allows that user decides what the SRM does.
 * A client is kept per set of credentials (least recently used ones closed beyond `maxClients`), so an SRM
 * request reuses open connections instead of opening one per file.
 */
export class SdkSrmCatalog implements SrmCatalog {
  readonly #options: SdkCatalogOptions;
  readonly #clients = new Map<string, ReplicatClient>();

  constructor(options: SdkCatalogOptions) {
    this.#options = options;
  }

  async storageElements(caller: SrmCaller): Promise<readonly SeDefinition[]> {
    const { data, error } = await this.#client(caller).api.GET('/api/v1/storage-elements');
    if (data === undefined) throw new Error(`the catalog refused to list storage elements: ${JSON.stringify(error)}`);
    return data.storageElements.map((se) => ({
      name: se.name,
      host: se.host,
      surlPrefixes: se.surlPrefixes,
      status: se.status,
      nearline: se.nearline,
      protocols: se.protocols,
    }));
  }

  async filesOfReplicas(caller: SrmCaller, surls: readonly string[]): Promise<ReplicaLookup[]> {
    if (surls.length === 0) return [];
    const client = this.#client(caller);
    const found = await client.guids.lookup(surls.map((surl) => ({ surl })));
    const known = found.flatMap((f, i) => (f.ok ? [{ index: i, guid: f.guid, lfn: f.lfn }] : []));
    const stats = known.length === 0 ? [] : await client.entries.stat(known.map((k) => k.lfn));
    const out: ReplicaLookup[] = found.map((f) => ({ found: false, reason: !f.ok && f.error.code === 'PermissionDenied' ? 'forbidden' : 'unknown' }));
    known.forEach((k, j) => {
      const stat = stats[j]!;
      if (!stat.ok) {
        out[k.index] = { found: false, reason: stat.error.code === 'PermissionDenied' ? 'forbidden' : 'unknown' };
        return;
      }
      const entry = stat.entry;
      out[k.index] = { found: true, file: { guid: k.guid, lfn: entry.lfn, size: entry.size ?? null, adler32: entry.checksum?.type === 'adler32' ? entry.checksum.value : null } };
    });
    return out;
  }

  async registerReplicas(caller: SrmCaller, uploads: readonly Upload[]): Promise<CatalogOutcome[]> {
    if (uploads.length === 0) return [];
    const client = this.#client(caller);
    const out: (CatalogOutcome | undefined)[] = uploads.map(() => undefined);

    // Their directories first, each once.
    const parentOf = (lfn: string) => lfn.slice(0, lfn.lastIndexOf('/'));
    const parents = [...new Set(uploads.map((u) => parentOf(u.lfn)).filter((p) => p !== ''))];
    const made = parents.length === 0 ? [] : await client.directories.create(parents, { parents: true, idempotent: true });
    const refusedParents = new Map<string, ItemError>();
    made.forEach((result, i) => {
      if (!result.ok && result.error.code !== 'Exists') refusedParents.set(parents[i]!, result.error);
    });
    uploads.forEach((u, i) => {
      const refused = refusedParents.get(parentOf(u.lfn));
      if (refused !== undefined) out[i] = refusal(refused);
    });

    // New files, each with its replica.
    const toCreate = uploads.flatMap((u, i) => (out[i] === undefined ? [i] : []));
    const created = toCreate.length === 0 ? [] : await client.files.create(
      toCreate.map((i) => {
        const u = uploads[i]!;
        return { lfn: u.lfn, size: u.size, checksum: { type: 'adler32' as const, value: u.adler32 }, replicas: [{ surl: u.surl }] };
      }),
    );
    const existing: number[] = [];
    created.forEach((result, j) => {
      const i = toCreate[j]!;
      if (result.ok) out[i] = { ok: true };
      else if (result.error.code === 'Exists') existing.push(i);
      else out[i] = refusal(result.error);
    });

    // The LFN exists (or the SURL does): a new replica of the same bytes is welcome, other bytes are not.
    if (existing.length > 0) {
      const stats = await client.entries.stat(existing.map((i) => ({ lfn: uploads[i]!.lfn, follow: true })));
      const toAdd: number[] = [];
      stats.forEach((stat, j) => {
        const i = existing[j]!;
        const upload = uploads[i]!;
        if (!stat.ok) out[i] = { ok: false, reason: 'exists', message: `${upload.lfn} or ${upload.surl} is registered already` };
        else if (!sameBytes(stat.entry, upload)) {
          out[i] = { ok: false, reason: 'mismatch', message: `${upload.lfn} exists with another size or checksum than the ${upload.size} bytes uploaded` };
        } else toAdd.push(i);
      });
      const added = toAdd.length === 0 ? [] : await client.replicas.add(toAdd.map((i) => ({ lfn: uploads[i]!.lfn, surl: uploads[i]!.surl })));
      added.forEach((result, j) => (out[toAdd[j]!] = result.ok ? { ok: true } : refusal(result.error)));
    }
    return out.map((o) => o ?? { ok: false, reason: 'invalid', message: 'the catalog gave no answer for this file' });
  }

  async unregisterReplicas(caller: SrmCaller, surls: readonly string[]): Promise<CatalogOutcome[]> {
    if (surls.length === 0) return [];
    const client = this.#client(caller);
    const found = await client.guids.lookup(surls.map((surl) => ({ surl })));
    const out: CatalogOutcome[] = found.map((f) => (f.ok ? { ok: true } : refusal(f.error)));
    const known = found.flatMap((f, i) => (f.ok ? [{ index: i, guid: f.guid }] : []));
    const removed = known.length === 0 ? [] : await client.replicas.remove(known.map((k) => ({ guid: k.guid, surl: surls[k.index]! })));
    removed.forEach((result, j) => (out[known[j]!.index] = result.ok ? { ok: true } : refusal(result.error)));
    return out;
  }

  /** Closes every kept client. */
  async close(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(clients.map((c) => c.close()));
  }

  #client(caller: SrmCaller): ReplicatClient {
    const key = caller.authorization ?? '';
    let client = this.#clients.get(key);
    if (client !== undefined) {
      // Most recently used last: the map's first key is the one to close when full.
      this.#clients.delete(key);
      this.#clients.set(key, client);
      return client;
    }
    client = new ReplicatClient({
      baseUrl: this.#options.baseUrl,
      ...(this.#options.ca !== undefined ? { ca: this.#options.ca } : {}),
      ...(caller.authorization !== undefined ? { headers: { authorization: caller.authorization } } : {}),
      ...BULKS,
    });
    this.#clients.set(key, client);
    if (this.#clients.size > (this.#options.maxClients ?? 64)) {
      const [oldestKey, oldest] = this.#clients.entries().next().value as [string, ReplicatClient];
      this.#clients.delete(oldestKey);
      void oldest.close();
    }
    return client;
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
