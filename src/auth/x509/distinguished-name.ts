import forge from 'node-forge';
import { bytesOf, children, expectUniversal, MalformedDer, oidOf } from './der';

type Asn1 = forge.asn1.Asn1;

export interface NameAttribute {
  readonly oid: string;
  readonly value: string;
}
/** One relative distinguished name (usually a single attribute). */
export type Rdn = readonly NameAttribute[];
/** A distinguished name as encoded, RDN by RDN, most significant first. */
export type DistinguishedName = readonly Rdn[];

// OpenSSL's short names, as X509_NAME_oneline prints them. forge lacks several (DC among them).
const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.17': 'postalCode',
  '2.5.4.41': 'name',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

// Spellings older grid tools and .lsc files use for the same attributes.
const ALIASES: Readonly<Record<string, string>> = { E: 'emailAddress', Email: 'emailAddress', USERID: 'UID' };

export const COMMON_NAME = '2.5.4.3';

/** Reads an X.501 Name (SEQUENCE OF SET OF AttributeTypeAndValue). */
export function readName(node: Asn1 | undefined, what: string): DistinguishedName {
  const seq = expectUniversal(node, forge.asn1.Type.SEQUENCE, what);
  return children(seq, what).map((set) => {
    const attributes = children(expectUniversal(set, forge.asn1.Type.SET, what), what).map((pair) => {
      const [type, value] = children(expectUniversal(pair, forge.asn1.Type.SEQUENCE, what), what);
      return { oid: oidOf(type, what), value: decodeString(value, what) };
    });
    if (attributes.length === 0) throw new MalformedDer(`${what}: empty RDN`);
    return attributes;
  });
}

function decodeString(node: Asn1 | undefined, what: string): string {
  const raw = bytesOf(node, what);
  switch (node!.type as number) {
    case forge.asn1.Type.UTF8:
      try {
        return forge.util.decodeUtf8(raw);
      } catch {
        throw new MalformedDer(`${what}: invalid UTF-8`);
      }
    case forge.asn1.Type.BMPSTRING: {
      let out = '';
      for (let i = 0; i + 1 < raw.length; i += 2) out += String.fromCharCode((raw.charCodeAt(i) << 8) | raw.charCodeAt(i + 1));
      return out;
    }
    case 28: {
      // UniversalString (UCS-4)
      let out = '';
      for (let i = 0; i + 3 < raw.length; i += 4) {
        out += String.fromCodePoint(((raw.charCodeAt(i) << 24) | (raw.charCodeAt(i + 1) << 16) | (raw.charCodeAt(i + 2) << 8) | raw.charCodeAt(i + 3)) >>> 0);
      }
      return out;
    }
    default:
      // PrintableString, IA5String, T61String, VisibleString, NumericString: single bytes.
      return raw;
  }
}

/**
 * The OpenSSL "slash" form grid services use as the identity (`/DC=org/DC=example/CN=Alice`), as
 * `X509_NAME_oneline` prints it: short names where OpenSSL has them, dotted OIDs otherwise, control
 * characters as `\xHH` so that a DN can never smuggle a line break into a log or a path.
 */
export function formatDn(name: DistinguishedName): string {
  return name
    .flat()
    .map((a) => `/${SHORT_NAMES[a.oid] ?? a.oid}=${escapeValue(a.value)}`)
    .join('');
}

function escapeValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Exact structural equality (RDN by RDN, attribute by attribute): how chain links are matched. */
export function sameName(a: DistinguishedName, b: DistinguishedName): boolean {
  return a.length === b.length && a.every((rdn, i) => sameRdn(rdn, b[i]!));
}

export function sameRdn(a: Rdn, b: Rdn): boolean {
  return a.length === b.length && a.every((attr, i) => attr.oid === b[i]!.oid && attr.value === b[i]!.value);
}

/** A key for maps of names. */
export function nameKey(name: DistinguishedName): string {
  return JSON.stringify(name.map((rdn) => rdn.map((a) => [a.oid, a.value])));
}

/**
 * Compares a slash-form DN written by hand (an `.lsc` line) with a certificate's name, accepting the
 * older spellings (`/Email=`, `/E=`, `/USERID=`).
 */
export function matchesSlashDn(text: string, name: DistinguishedName): boolean {
  return normalizeSlashDn(text) === normalizeSlashDn(formatDn(name));
}

function normalizeSlashDn(text: string): string {
  return text.trim().replace(/\/([A-Za-z]+)=/g, (whole, key: string) => `/${ALIASES[key] ?? key}=`);
}
