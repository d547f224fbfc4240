import type { StorageElement } from './storage-element';

/** What placing a SURL needs of an SE; the SRM passes its own definitions, read through the SDK. */
export type PlaceableSe = Pick<StorageElement, 'name' | 'host' | 'surlPrefixes'>;
import { parseSurl } from '../names/surl';

/**
 * Which registered SE a SURL is on, decided in memory over the (small) registry. The rule, the same as the
 * set-based SQL of place-replicas.ts:
 * 1. the SE owning the longest registered SURL prefix that the SURL starts with (byte for byte);
 * 2. else the SE whose host is the SURL's host — the first by name when several share the host
 *    (give them prefixes to tell them apart);
 * 3. else none: the replica is on an unregistered SE, known by its host.
 *
 * ```ts
 * new StorageDirectory(await listRegisteredStorageElements(ctx)).locate('srm://se1.example.org/dpm/vo/f')
 * ```
 */
export class StorageDirectory<T extends PlaceableSe = StorageElement> {
  readonly #prefixesByHost = new Map<string, { prefix: string; se: T }[]>();
  readonly #byHost = new Map<string, T>();
  readonly #byName = new Map<string, T>();

  constructor(ses: readonly T[]) {
    for (const se of [...ses].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      this.#byName.set(se.name, se);
      if (!this.#byHost.has(se.host)) this.#byHost.set(se.host, se);
      for (const prefix of se.surlPrefixes) {
        const host = parseSurl(prefix).se;
        const list = this.#prefixesByHost.get(host) ?? [];
        list.push({ prefix, se });
        this.#prefixesByHost.set(host, list);
      }
    }
    for (const list of this.#prefixesByHost.values()) list.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** The registered SE of a SURL (whose host, as parseSurl gives it, is `host`), or undefined. */
  locate(surl: string, host: string = parseSurl(surl).se): T | undefined {
    const byPrefix = this.#prefixesByHost.get(host)?.find((p) => surl.startsWith(p.prefix));
    return byPrefix?.se ?? this.#byHost.get(host);
  }

  named(name: string): T | undefined {
    return this.#byName.get(name);
  }
}
