import type { CreateFileItem } from '../core/namespace/create-files';
import { CatalogError, InvalidArgument } from '../core/errors';
import { field, fieldBoolean, fieldInteger, fieldString, fieldStructs, type Parts } from './decode-parts';
import { LFN_TYPE } from './encode-types';
import { isNil, type XmlElement } from './xml-reader';

/** Decodes each element of an array part; a malformed one fails the call, named by its position. */
export function decodeItems<T>(parts: Parts, name: string, decode: (item: XmlElement) => T): T[] {
  return parts.items(name).map((item, index) => {
    try {
      if (isNil(item)) throw new InvalidArgument('must not be nil');
      return decode(item);
    } catch (error) {
      if (error instanceof CatalogError) throw new InvalidArgument(`${name}[${index}]: ${error.message}`);
      throw error;
    }
  });
}

export interface StringPairValue {
  readonly string1: string | null;
  readonly string2: string | null;
}

export function decodeStringPair(item: XmlElement): StringPairValue {
  return { string1: fieldString(item, 'string1'), string2: fieldString(item, 'string2') };
}

/** A StringPair whose two strings are both required. */
export function decodeFullPair(item: XmlElement): { readonly string1: string; readonly string2: string } {
  const { string1, string2 } = decodeStringPair(item);
  if (string1 === null || string2 === null) throw new InvalidArgument('string1 and string2 are both required');
  return { string1, string2 };
}

export interface SurlValue {
  readonly surl: string;
  readonly master: boolean;
}

export function decodeSurlEntry(item: XmlElement): SurlValue {
  const surl = fieldString(item, 'surl');
  if (surl === null) throw new InvalidArgument('surl is required');
  return { surl, master: fieldBoolean(item, 'masterReplica') ?? false };
}

/**
 * FCEntry for createFile: lfn, guid (generated when nil), lfnStat.size. The entry must be a file
 * (lfnStat.type 1 or absent); permission and times are set by the catalog.
 */
export function decodeFcEntry(item: XmlElement): CreateFileItem {
  const lfnStat = field(item, 'lfnStat');
  const type = lfnStat ? fieldInteger(lfnStat, 'type') : null;
  if (type !== null && type !== LFN_TYPE.file) throw new InvalidArgument(`createFile registers files (lfnStat.type ${LFN_TYPE.file}), not type ${type}`);
  const size = lfnStat ? fieldInteger(lfnStat, 'size') : null;
  return withOptional({ lfn: requiredLfn(item) }, { guid: fieldString(item, 'guid'), size });
}

/** FRCEntry for create: lfn, guid, size and checksum (guidStat, else lfnStat), replicas (surlStats). */
export function decodeFrcEntry(item: XmlElement): CreateFileItem {
  const guidStat = field(item, 'guidStat');
  const lfnStat = field(item, 'lfnStat');
  const size = (guidStat ? fieldInteger(guidStat, 'size') : null) ?? (lfnStat ? fieldInteger(lfnStat, 'size') : null);
  const checksum = guidStat ? fieldString(guidStat, 'checksum') : null;
  const replicas = fieldStructs(item, 'surlStats').map(decodeSurlEntry);
  return withOptional(
    { lfn: requiredLfn(item), replicas },
    { guid: fieldString(item, 'guid'), size, checksum: checksum === null || checksum === '' ? null : decodeChecksum(checksum) },
  );
}

/**
 * The checksum string of GUIDStat is `type:value` (`adler32:0a1b2c3d`, `md5:…`); a bare value is read as
 * adler32 when it has up to 8 hex digits and md5 when it has 32, the two kinds replicat keeps.
 */
export function decodeChecksum(text: string): { type: string; value: string } {
  const colon = text.indexOf(':');
  if (colon > 0) return { type: text.slice(0, colon), value: text.slice(colon + 1) };
  if (/^[0-9a-f]{1,8}$/i.test(text)) return { type: 'adler32', value: text };
  if (/^[0-9a-f]{32}$/i.test(text)) return { type: 'md5', value: text };
  throw new InvalidArgument('checksum must be type:value, e.g. adler32:0a1b2c3d');
}

function requiredLfn(item: XmlElement): string {
  const lfn = fieldString(item, 'lfn');
  if (lfn === null) throw new InvalidArgument('lfn is required');
  return lfn;
}

/** Core items take absent fields as undefined, never null. */
function withOptional(
  base: Pick<CreateFileItem, 'lfn' | 'replicas'>,
  optional: { guid: string | null; size: number | null; checksum?: { type: string; value: string } | null },
): CreateFileItem {
  return {
    ...base,
    ...(optional.guid !== null ? { guid: optional.guid } : {}),
    ...(optional.size !== null ? { size: optional.size } : {}),
    ...(optional.checksum !== null && optional.checksum !== undefined ? { checksum: optional.checksum } : {}),
  };
}
