import type { Queryable } from '../../db/schema';
import type { CatalogContext } from '../context';
import type { EntryHead } from '../entry';
import { PermissionDenied } from '../errors';
import { ancestorsOf, parentOf, type Lfn } from '../names/lfn';
import { ENTRY_HEADS } from '../namespace/lookup';
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
  readonly #directories = new Map<string, EntryHead>();
  readonly #audited = new Set<string>();
  // Decisions are pure functions of (entry, right) within a request: 10,000 files in one directory
  // ask about that directory once, not 10,000 times.
  readonly #decided = new Map<string, boolean>();
  readonly #blockedUnder = new Map<string, EntryHead | null>();

  constructor(ctx: CatalogContext) {
    this.#ctx = ctx;
  }

  get enforced(): boolean {
    return this.#ctx.authorization !== 'disabled';
  }

  /** Does the caller hold `right` on `entry`? An admin always does; when that overrode a denial it is audited. */
  allows(entry: EntryHead, right: Right, action: string): boolean {
    if (!this.enforced) return true;
    const identity = this.#ctx.identity;
    // Only directories are asked about again and again; a file is checked once per request, and its
    // memo key would cost more than the evaluation it saves.
    if (entry.kind !== 'directory') {
      if (has(grantedRights(identity, entry.permission), right)) return true;
    } else {
      const memo = `${entry.id}:${right}`;
      const known = this.#decided.get(memo);
      if (known === true) return true;
      if (known === undefined) {
        const granted = has(grantedRights(identity, entry.permission), right);
        this.#decided.set(memo, granted);
        if (granted) return true;
      }
    }
    if (identity.admin !== true) return false;
    const key = `${entry.id}:${right}:${action}`;
    if (!this.#audited.has(key)) {
      this.#audited.add(key);
      this.#ctx.audit?.({ action: `admin-bypass:${action}`, actor: identity.dn, lfn: entry.lfn, detail: `right ${right}` });
    }
    return true;
  }

  /** PermissionDenied naming what was refused, or null when allowed. */
  deny(entry: EntryHead, right: Right, action: string, shownAs: string = entry.lfn): PermissionDenied | null {
    return this.allows(entry, right, action) ? null : new PermissionDenied(`permission denied: ${right} on ${shownAs} (${action})`);
  }

  /** Fetches, once, every directory above the given paths that is not known yet. */
  async loadAncestors(db: Queryable, paths: Iterable<Lfn>): Promise<void> {
    const wanted = this.unknownAncestors(paths);
    if (wanted.length === 0) return;
    this.remember((await ENTRY_HEADS.byLfn(db, wanted)).values());
  }

  /**
   * The directories above the given paths that checks will need and that are not loaded yet (none when
   * checks are off), so that a caller about to query anyway can fetch them in the same statement.
   */
  unknownAncestors(paths: Iterable<Lfn>): Lfn[] {
    if (!this.enforced) return [];
    const parents = new Set<Lfn>();
    for (const path of paths) {
      const parent = parentOf(path);
      if (parent !== null) parents.add(parent);
    }
    const wanted = new Set<Lfn>();
    for (const parent of parents) {
      if (wanted.has(parent) || this.#directories.has(parent)) continue;
      wanted.add(parent);
      for (const a of ancestorsOf(parent)) if (!this.#directories.has(a)) wanted.add(a);
    }
    return [...wanted];
  }

  /** Remembers entries read anyway (walks read ancestors), sparing a query later. */
  remember(entries: Iterable<EntryHead>): void {
    for (const entry of entries) {
      if (entry.kind === 'directory' && !this.#directories.has(entry.lfn)) {
        this.#directories.set(entry.lfn, entry);
        this.#blockedUnder.clear();
      }
    }
  }

  /** A loaded directory by path. */
  directory(lfn: Lfn): EntryHead | undefined {
    return this.#directories.get(lfn);
  }

  /**
   * The first directory above `path` that the caller may not traverse (`execute`), or undefined.
   * Call `loadAncestors` with the path first.
   */
  blockedOnWay(path: Lfn): EntryHead | undefined {
    if (!this.enforced) return undefined;
    const parent = parentOf(path);
    if (parent === null) return undefined;
    let blocked = this.#blockedUnder.get(parent);
    if (blocked === undefined) {
      blocked = null;
      for (const a of ancestorsOf(path)) {
        const directory = this.#directories.get(a);
        if (directory !== undefined && !this.allows(directory, 'execute', 'traverse')) {
          blocked = directory;
          break;
        }
      }
      this.#blockedUnder.set(parent, blocked);
    }
    return blocked ?? undefined;
  }
}
