import type { Selectable } from 'kysely';
import type { EntriesTable } from '../db/schema';
import { fromStoredAcl, type Permission } from './access/permission';
import type { Checksum } from './checksum';
import { Internal } from './errors';
import type { Guid } from './names/guid';
import type { Lfn } from './names/lfn';

/**
 * What resolving a name and deciding access to it need of an entry: its kind (with the GUID of a file and
 * the target of a link), its path and its permission. Paths that only resolve names (replica listings,
 * ranking) read just this much; `Entry` adds everything else.
 */
export type EntryHead = DirectoryHead | FileHead | SymlinkHead;

interface HeadCommon {
  readonly id: string;
  readonly lfn: Lfn;
  readonly permission: Permission;
}

export interface DirectoryHead extends HeadCommon {
  readonly kind: 'directory';
}

export interface FileHead extends HeadCommon {
  readonly kind: 'file';
  readonly guid: Guid;
}

export interface SymlinkHead extends HeadCommon {
  readonly kind: 'symlink';
  readonly target: Lfn;
}

interface EntryCommon {
  readonly parentId: string | null;
  readonly name: string;
  readonly owner: string;
  readonly group: string;
  readonly ctime: Date;
  readonly mtime: Date;
  /** When the entry stops being valid (Fireman's validity time); null: never. */
  readonly validity: Date | null;
}

export interface DirectoryEntry extends DirectoryHead, EntryCommon {}

export interface FileEntry extends FileHead, EntryCommon {
  readonly size: number | null;
  readonly checksum: Checksum | null;
  readonly status: number;
}

export interface SymlinkEntry extends SymlinkHead, EntryCommon {}

/** A namespace node. The kind decides which fields exist, so a directory can never carry a GUID. */
export type Entry = DirectoryEntry | FileEntry | SymlinkEntry;

export type EntryRow = Selectable<EntriesTable>;

export function toEntry(row: EntryRow): Entry {
  // Built field by field rather than by spreading a common part: bulk reads turn 10,000 rows into
  // entries per request, and the spread copies were a visible share of that.
  const permission = permissionOf(row);
  switch (row.kind) {
    case 'directory':
      return {
        kind: 'directory',
        id: row.id,
        parentId: row.parent_id,
        lfn: row.lfn as Lfn,
        name: row.name,
        owner: row.owner_dn,
        group: row.group_name,
        ctime: row.ctime,
        mtime: row.mtime,
        validity: row.validity,
        permission,
      };
    case 'file':
      if (row.guid === null) throw new Internal(`file without GUID: ${row.lfn}`);
      return {
        kind: 'file',
        id: row.id,
        parentId: row.parent_id,
        lfn: row.lfn as Lfn,
        name: row.name,
        owner: row.owner_dn,
        group: row.group_name,
        ctime: row.ctime,
        mtime: row.mtime,
        validity: row.validity,
        permission,
        guid: row.guid as Guid,
        size: row.size,
        checksum: row.checksum_type !== null && row.checksum !== null ? { type: row.checksum_type, value: row.checksum } : null,
        status: row.status,
      };
    case 'symlink':
      if (row.target === null) throw new Internal(`symlink without target: ${row.lfn}`);
      return {
        kind: 'symlink',
        id: row.id,
        parentId: row.parent_id,
        lfn: row.lfn as Lfn,
        name: row.name,
        owner: row.owner_dn,
        group: row.group_name,
        ctime: row.ctime,
        mtime: row.mtime,
        validity: row.validity,
        permission,
        target: row.target as Lfn,
      };
  }
}

/**
 * What a directory listing shows of an entry, the fields the REST encoders write: no id, parent,
 * permission, validity or status. A million-entry listing decides access once, on the directory, so its
 * rows need none of the rest, and reading and building only this much is most of what a listing costs.
 * Every `Entry` is also a `ListedEntry`.
 */
export type ListedEntry = ListedDirectory | ListedFile | ListedSymlink;

type ListedCommon = 'kind' | 'lfn' | 'name' | 'owner' | 'group' | 'ctime' | 'mtime';
export type ListedDirectory = Pick<DirectoryEntry, ListedCommon>;
export type ListedFile = Pick<FileEntry, ListedCommon | 'guid' | 'size' | 'checksum'>;
export type ListedSymlink = Pick<SymlinkEntry, ListedCommon | 'target'>;

/** The columns `toListedEntry` reads; the times as milliseconds since 1970. */
export type ListedEntryRow = Pick<EntryRow, 'lfn' | 'name' | 'kind' | 'guid' | 'target' | 'size' | 'checksum_type' | 'checksum' | 'owner_dn' | 'group_name'> & {
  readonly ctime_ms: number;
  readonly mtime_ms: number;
};

/** `dates` turns the times into `Date`s, possibly shared with the entries around (see `SharedDates`). */
export function toListedEntry(row: ListedEntryRow, dates: { of(ms: number): Date }): ListedEntry {
  const ctime = dates.of(row.ctime_ms);
  const mtime = dates.of(row.mtime_ms);
  switch (row.kind) {
    case 'directory':
      return { kind: 'directory', lfn: row.lfn as Lfn, name: row.name, owner: row.owner_dn, group: row.group_name, ctime, mtime };
    case 'file':
      if (row.guid === null) throw new Internal(`file without GUID: ${row.lfn}`);
      return {
        kind: 'file',
        lfn: row.lfn as Lfn,
        name: row.name,
        owner: row.owner_dn,
        group: row.group_name,
        ctime,
        mtime,
        guid: row.guid as Guid,
        size: row.size,
        checksum: row.checksum_type !== null && row.checksum !== null ? { type: row.checksum_type, value: row.checksum } : null,
      };
    case 'symlink':
      if (row.target === null) throw new Internal(`symlink without target: ${row.lfn}`);
      return { kind: 'symlink', lfn: row.lfn as Lfn, name: row.name, owner: row.owner_dn, group: row.group_name, ctime, mtime, target: row.target as Lfn };
  }
}

/** The columns `toEntryHead` reads. */
export type EntryHeadRow = Pick<EntryRow, 'id' | 'lfn' | 'kind' | 'guid' | 'target' | 'owner_dn' | 'group_name' | 'perm_owner' | 'perm_group' | 'perm_other' | 'acl'>;

export function toEntryHead(row: EntryHeadRow): EntryHead {
  const permission = permissionOf(row);
  switch (row.kind) {
    case 'directory':
      return { kind: 'directory', id: row.id, lfn: row.lfn as Lfn, permission };
    case 'file':
      if (row.guid === null) throw new Internal(`file without GUID: ${row.lfn}`);
      return { kind: 'file', id: row.id, lfn: row.lfn as Lfn, permission, guid: row.guid as Guid };
    case 'symlink':
      if (row.target === null) throw new Internal(`symlink without target: ${row.lfn}`);
      return { kind: 'symlink', id: row.id, lfn: row.lfn as Lfn, permission, target: row.target as Lfn };
  }
}

function permissionOf(row: EntryHeadRow): Permission {
  return {
    owner: row.owner_dn,
    group: row.group_name,
    base: { owner: row.perm_owner, group: row.perm_group, other: row.perm_other },
    acl: fromStoredAcl(row.acl),
  };
}
