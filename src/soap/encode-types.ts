import { RIGHT_BIT, type RightMask } from '../core/access/rights';
import type { Entry, FileEntry } from '../core/entry';
import type { Replica } from '../core/replicas/replica';
import { element, textElement } from './xml-writer';

/**
 * Writers of the Fireman structs, field order as declared in `wire-types.ts` (the WSDL). Times are
 * xsd:long milliseconds since the epoch; LFNStat type codes are those of interface 2.0.0.
 */

export const LFN_TYPE = { directory: 0, file: 1, symlink: 2 } as const;

/** `permission` is written when the caller asked for it (withPermissions), nil otherwise. */
export interface EncodeOptions {
  readonly withPermissions: boolean;
}

export function stringPair(string1: string | null, string2: string | null): string {
  return textElement('string1', string1) + textElement('string2', string2);
}

export function stat(entry: Entry): string {
  return (
    textElement('modifyTime', entry.mtime.getTime()) +
    textElement('creationTime', entry.ctime.getTime()) +
    textElement('size', entry.kind === 'file' ? (entry.size ?? 0) : 0)
  );
}

/** LFNStat extends Stat: type, data (a symlink's target), validityTime (0: never expires). */
export function lfnStat(entry: Entry): string {
  return (
    stat(entry) +
    textElement('type', LFN_TYPE[entry.kind]) +
    textElement('data', entry.kind === 'symlink' ? entry.target : null) +
    textElement('validityTime', 0)
  );
}

/** GUIDStat extends Stat: checksum as `type:value` (e.g. `adler32:0a1b2c3d`), status. */
export function guidStat(file: FileEntry): string {
  return (
    stat(file) +
    textElement('checksum', file.checksum === null ? null : `${file.checksum.type}:${file.checksum.value}`) +
    textElement('status', file.status)
  );
}

export function surlEntry(replica: Replica): string {
  return (
    textElement('masterReplica', replica.master) +
    textElement('creationTime', replica.ctime.getTime()) +
    textElement('modifyTime', replica.mtime.getTime()) +
    textElement('surl', replica.surl)
  );
}

// Order of Perm: permission, remove, read, write, list, execute, getMetadata, setMetadata.
const PERM_FIELDS = ['permission', 'remove', 'read', 'write', 'list', 'execute', 'getMetadata', 'setMetadata'] as const;

function perm(mask: RightMask): string {
  let out = '';
  for (const name of PERM_FIELDS) out += textElement(name, (mask & RIGHT_BIT[name]) !== 0);
  return out;
}

/**
 * An entry's Permission: owner, group, base rights, and its ACL entries as `acl` elements. Fireman's
 * ACLEntry can only allow, so deny entries (a replicat extension) are not shown here; they still apply,
 * and REST shows them. See wsdl/README.md.
 */
export function permission(entry: Entry): string {
  const p = entry.permission;
  let out =
    textElement('userName', p.owner) +
    textElement('groupName', p.group) +
    element('userPerm', perm(p.base.owner)) +
    element('groupPerm', perm(p.base.group)) +
    element('otherPerm', perm(p.base.other));
  for (const e of p.acl) {
    if (e.allow !== 0) out += element('acl', element('principalPerm', perm(e.allow)) + textElement('principal', e.principal));
  }
  return out;
}

function permissionField(entry: Entry, options: EncodeOptions): string {
  return element('permission', options.withPermissions ? permission(entry) : null);
}

/** FCEntry { lfn, guid, permission, lfnStat }; `lfn` is the key the caller gave. */
export function fcEntry(key: string, entry: Entry, options: EncodeOptions): string {
  return (
    textElement('lfn', key) +
    textElement('guid', entry.kind === 'file' ? entry.guid : null) +
    permissionField(entry, options) +
    element('lfnStat', lfnStat(entry))
  );
}

/** FRCEntry { lfn, guid, permission, lfnStat, guidStat, surlStats* } */
export function frcEntry(key: string, file: FileEntry, replicas: readonly Replica[], options: EncodeOptions): string {
  let out = textElement('lfn', key) + textElement('guid', file.guid) + permissionField(file, options);
  out += element('lfnStat', lfnStat(file)) + element('guidStat', guidStat(file));
  for (const replica of replicas) out += element('surlStats', surlEntry(replica));
  return out;
}

/** RCEntry { guid, permission, guidStat, surlStats* }; `guid` is the key the caller gave. */
export function rcEntry(key: string, file: FileEntry, replicas: readonly Replica[], options: EncodeOptions): string {
  let out = textElement('guid', key) + permissionField(file, options) + element('guidStat', guidStat(file));
  for (const replica of replicas) out += element('surlStats', surlEntry(replica));
  return out;
}
