import { createHash } from 'node:crypto';
import forge from 'node-forge';
import { bytesOf, children, isContext, isUniversal, MalformedDer, oidOf, readDer, smallInteger } from './der';
import { formatDn, readName, type DistinguishedName } from './distinguished-name';
import { OID } from './oids';

export interface CertificateExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** The DER inside the extension's OCTET STRING, as a binary string. */
  readonly value: string;
}

/**
 * One certificate, parsed once: forge's object (for its public key and signature checks) next to what
 * replicat reads itself from the DER (names with every OID, extensions, constraints).
 */
export interface ParsedCertificate {
  readonly der: Buffer;
  readonly forge: forge.pki.Certificate;
  readonly subject: DistinguishedName;
  readonly issuer: DistinguishedName;
  readonly subjectDn: string;
  readonly issuerDn: string;
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: ReadonlyMap<string, CertificateExtension>;
  /** basicConstraints: absent means "not a CA". */
  readonly ca: boolean;
  readonly pathLength: number | undefined;
  /** keyUsage bits by name, or undefined when the extension is absent (no restriction). */
  readonly keyUsage: ReadonlySet<KeyUsage> | undefined;
  /** extendedKeyUsage OIDs, or undefined when absent. */
  readonly extKeyUsage: ReadonlySet<string> | undefined;
  /** A short fingerprint for logs. */
  readonly fingerprint: string;
}

export type KeyUsage =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

const KEY_USAGE_BITS: readonly KeyUsage[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** Parses one DER certificate; throws MalformedDer (or forge's error, e.g. for a non-RSA key). */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const bytes = Buffer.from(der);
  const root = readDer(bytes);
  const [tbs] = children(root, 'certificate');
  const fields = children(tbs, 'tbsCertificate');
  // version is [0] EXPLICIT and optional (v1 certificates omit it)
  const offset = isContext(fields[0], 0) ? 1 : 0;
  const issuer = readName(fields[offset + 2], 'issuer');
  const subject = readName(fields[offset + 4], 'subject');
  const extensions = new Map<string, CertificateExtension>();
  for (const field of fields.slice(offset + 6)) {
    if (!isContext(field, 3)) continue;
    for (const ext of children(children(field, 'extensions')[0], 'extensions')) {
      const parts = children(ext, 'extension');
      const oid = oidOf(parts[0], 'extension id');
      const critical = isUniversal(parts[1], forge.asn1.Type.BOOLEAN) ? bytesOf(parts[1], 'critical') !== '\x00' : false;
      const value = bytesOf(parts[parts.length - 1], 'extension value');
      if (extensions.has(oid)) throw new MalformedDer(`extension ${oid} appears twice`);
      extensions.set(oid, { oid, critical, value });
    }
  }
  // forge re-reads the certificate with its own decoder (BIT STRINGs decoded), which its key reader needs.
  const cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(bytes.toString('binary')), true);
  const basic = extensions.get(OID.basicConstraints);
  const { ca, pathLength } = basic ? readBasicConstraints(basic.value) : { ca: false, pathLength: undefined };
  const ku = extensions.get(OID.keyUsage);
  const eku = extensions.get(OID.extKeyUsage);
  return {
    der: bytes,
    forge: cert,
    subject,
    issuer,
    subjectDn: formatDn(subject),
    issuerDn: formatDn(issuer),
    serial: cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
    extensions,
    ca,
    pathLength,
    keyUsage: ku ? readKeyUsage(ku.value) : undefined,
    extKeyUsage: eku ? new Set(children(readDer(eku.value), 'extKeyUsage').map((n) => oidOf(n, 'extKeyUsage'))) : undefined,
    fingerprint: createHash('sha256').update(bytes).digest('hex').slice(0, 16),
  };
}

function readBasicConstraints(value: string): { ca: boolean; pathLength: number | undefined } {
  const parts = children(readDer(value), 'basicConstraints');
  let ca = false;
  let pathLength: number | undefined;
  for (const part of parts) {
    if (isUniversal(part, forge.asn1.Type.BOOLEAN)) ca = bytesOf(part, 'cA') !== '\x00';
    else if (isUniversal(part, forge.asn1.Type.INTEGER)) pathLength = smallInteger(part, 'pathLenConstraint');
  }
  return { ca, pathLength };
}

function readKeyUsage(value: string): Set<KeyUsage> {
  const raw = bytesOf(readDer(value), 'keyUsage');
  const bits = new Set<KeyUsage>();
  // raw[0] is the count of unused bits; bit 0 is the most significant bit of the first byte.
  for (let i = 0; i < KEY_USAGE_BITS.length; i++) {
    const byte = raw.charCodeAt(1 + (i >> 3));
    if (!Number.isNaN(byte) && (byte & (0x80 >> (i & 7))) !== 0) bits.add(KEY_USAGE_BITS[i]!);
  }
  return bits;
}

/** Every certificate in PEM text, in order, as DER. */
export function pemCertificates(text: string): Buffer[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) =>
    Buffer.from(block.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64'),
  );
}
