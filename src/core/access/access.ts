import type { Queryable } from '../../db/schema';
import type { CatalogContext } from '../context';
import type { Entry } from '../entry';
import { PermissionDenied } from '../errors';
import { ancestorsOf, type Lfn } from '../names/lfn';
import { entriesByLfn } from '../namespace/lookup';
import { grantedRights } from './evaluate';
import { has, type Right } from './rights';

/**
 * The access decisions of one request. It loads the directories above the paths a request touches in one
 * query (and remembers them), so checking 10,000 items costs a lookup each, not a query each.
 *
 * ```ts
 * const access = new Access(ctx);
 * await access.loadAncestors(trx, paths);
 * const blocked = access.blockedOnWay(path);      // a directory the caller may not traverse
 * const denied = access.deny(parent, 'write', 'create', path); // PermissionDenied or null
 * ```
 */
export class Access {
  readonly #ctx: CatalogContext;
  readonly #directories = new Map<string, Entry>();
  readonly #audited = new Set<string>();

  constructor(ctx: CatalogContext) {
    this.#ctx = ctx;
  }

  get enforced(): boolean {
    return this.#ctx.authorization !== 'disabled';
  }

  /** Does the caller hold `right` on `entry`? An admin always does; when that overrode a denial it is audited. */
  allows(entry: Entry, right: Right, action: string): boolean {
    if (!this.enforced) return true;
    const identity = this.#ctx.identity;
    if (has(grantedRights(identity, entry.permission), right)) return true;
    if (identity.admin !== true) return false;
    const key = `${entry.id}:${right}:${action}`;
    if (!this.#audited.has(key)) {
      this.#audited.add(key);
      this.#ctx.audit?.({ action: `admin-bypass:${action}`, actor: identity.dn, lfn: entry.lfn, detail: `right ${right}` });
    }
    return true;
  }

  /** PermissionDenied naming what was refused, or null when allowed. */
  deny(entry: Entry, right: Right, action: string, shownAs: string = entry.lfn): PermissionDenied | null {
    return this.allows(entry, right, action) ? null : new PermissionDenied(`permission denied: ${right} on ${shownAs} (${action})`);
  }

  /** Fetches, once, every directory above the given paths that is not known yet. */
  async loadAncestors(db: Queryable, paths: Iterable<Lfn>): Promise<void> {
    if (!this.enforced) return;
    const wanted = new Set<string>();
    for (const path of paths) for (const a of ancestorsOf(path)) if (!this.#directories.has(a)) wanted.add(a);
    if (wanted.size === 0) return;
    for (const [lfn, entry] of await entriesByLfn(db, [...wanted])) this.#directories.set(lfn, entry);
  }

  /** Remembers entries read anyway (walks read ancestors), sparing a query later. */
  remember(entries: Iterable<Entry>): void {
    for (const entry of entries) if (entry.kind === 'directory') this.#directories.set(entry.lfn, entry);
  }

  /** A loaded directory by path. */
  directory(lfn: Lfn): Entry | undefined {
    return this.#directories.get(lfn);
  }

  /**
   * The first directory above `path` that the caller may not traverse (`execute`), or undefined.
   * Call `loadAncestors` with the path first.
   */
  blockedOnWay(path: Lfn): Entry | undefined {
    if (!this.enforced) return undefined;
    for (const a of ancestorsOf(path)) {
      const directory = this.#directories.get(a);
      if (directory !== undefined && !this.allows(directory, 'execute', 'traverse')) return directory;
    }
    return undefined;
  }
}
