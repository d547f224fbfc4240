import forge from 'node-forge';
import {
  bitStringBytes,
  bytesOf,
  children,
  integerHex,
  isContext,
  isUniversal,
  MalformedDer,
  oidOf,
  readDer,
  timeOf,
  toDerBytes,
} from '../x509/der';
import { readName, type DistinguishedName } from '../x509/distinguished-name';
import { OID } from '../x509/oids';

type Asn1 = forge.asn1.Asn1;

/** A VOMS attribute certificate (RFC 5755 shape, VOMS content), as read from a proxy's extension. */
export interface AttributeCertificate {
  /** The holder's certificate, by its issuer and serial (baseCertificateID), when given that way. */
  readonly holderIssuer: DistinguishedName | undefined;
  readonly holderSerial: string | undefined;
  /** The holder by subject (entityName), when given that way. */
  readonly holderName: DistinguishedName | undefined;
  /** The VOMS server that signed it. */
  readonly issuer: DistinguishedName;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** `vo://host:port`, from the FQAN attribute's policyAuthority. */
  readonly policyAuthority: string;
  readonly vo: string;
  /** FQANs as issued (`/vo/group/Role=role/Capability=NULL`), primary first. */
  readonly fqans: readonly string[];
  /** The VOMS server's certificate chain, when the AC carries it (needed for .lsc trust). */
  readonly certificates: readonly Buffer[];
  /** Hosts the AC is restricted to (the Targets extension), or undefined when unrestricted. */
  readonly targets: readonly string[] | undefined;
  readonly criticalExtensions: readonly string[];
  readonly tbs: string;
  readonly algorithm: string;
  readonly signature: string;
}

/**
 * Reads the value of the VOMS extension (1.3.6.1.4.1.8005.100.100.5): a SEQUENCE of SEQUENCEs of
 * attribute certificates, one per VO contacted. Anything malformed throws.
 */
export function parseVomsExtension(value: string): AttributeCertificate[] {
  return children(readDer(value), 'VOMS ACs').flatMap((seq) => children(seq, 'VOMS AC sequence').map(readAttributeCertificate));
}

function readAttributeCertificate(node: Asn1): AttributeCertificate {
  const [info, algorithm, signature] = children(node, 'attribute certificate');
  const fields = children(info, 'acinfo');
  let i = isUniversal(fields[0], forge.asn1.Type.INTEGER) ? 1 : 0;
  const holder = readHolder(fields[i++]!);
  const issuer = readIssuer(fields[i++]!);
  i++; // signature algorithm, repeated outside acinfo
  integerHex(fields[i++], 'AC serial');
  const [notBefore, notAfter] = children(fields[i++], 'AC validity').map((t) => timeOf(t, 'AC validity'));
  const attributes = readFqans(children(fields[i++], 'AC attributes'));
  if (isUniversal(fields[i], forge.asn1.Type.BITSTRING)) i++; // issuerUniqueID
  const extensions = isUniversal(fields[i], forge.asn1.Type.SEQUENCE) ? readExtensions(fields[i]!) : [];
  const certs = extensions.find((e) => e.oid === OID.vomsCertificates);
  const targets = extensions.find((e) => e.oid === OID.acTargets);
  return {
    ...holder,
    issuer,
    notBefore: notBefore!,
    notAfter: notAfter!,
    ...attributes,
    certificates: certs ? children(children(readDer(certs.value), 'AC certificates')[0], 'AC certificates').map((c) => Buffer.from(toDerBytes(c), 'binary')) : [],
    targets: targets ? collectNames(readDer(targets.value)) : undefined,
    criticalExtensions: extensions.filter((e) => e.critical).map((e) => e.oid),
    tbs: toDerBytes(info!),
    algorithm: oidOf(children(algorithm, 'AC algorithm')[0], 'AC algorithm'),
    signature: bitStringBytes(signature, 'AC signature'),
  };
}

function readHolder(node: Asn1): Pick<AttributeCertificate, 'holderIssuer' | 'holderSerial' | 'holderName'> {
  let holderIssuer: DistinguishedName | undefined;
  let holderSerial: string | undefined;
  let holderName: DistinguishedName | undefined;
  for (const part of children(node, 'holder')) {
    if (isContext(part, 0)) {
      const [names, serial] = children(part, 'baseCertificateID');
      holderIssuer = directoryName(names!);
      holderSerial = integerHex(serial, 'holder serial');
    } else if (isContext(part, 1)) {
      holderName = directoryName(part);
    }
  }
  if (holderSerial === undefined && holderName === undefined) throw new MalformedDer('the AC names no holder');
  return { holderIssuer, holderSerial, holderName };
}

function readIssuer(node: Asn1): DistinguishedName {
  // v2Form is [0] { issuerName GeneralNames, ... }; v1Form is a bare GeneralNames.
  const names = isContext(node, 0) ? children(node, 'v2Form')[0] : node;
  return directoryName(names!);
}

/** The first directoryName ([4] EXPLICIT Name) of GeneralNames. */
function directoryName(generalNames: Asn1): DistinguishedName {
  for (const name of children(generalNames, 'GeneralNames')) {
    if (isContext(name, 4)) return readName(children(name, 'directoryName')[0], 'directoryName');
  }
  throw new MalformedDer('GeneralNames without a directoryName');
}

function readFqans(attributes: Asn1[]): { policyAuthority: string; vo: string; fqans: string[] } {
  const attribute = attributes.find((a) => oidOf(children(a, 'attribute')[0], 'attribute type') === OID.vomsFqans);
  if (attribute === undefined) throw new MalformedDer('the AC carries no VOMS attribute');
  const [, values] = children(attribute, 'attribute');
  const [syntax] = children(values, 'attribute values');
  const parts = children(syntax, 'IetfAttrSyntax');
  const authority = parts.find((p) => isContext(p, 0));
  const policyAuthority = authority ? (collectNames(authority)[0] ?? '') : '';
  const list = parts.find((p) => isUniversal(p, forge.asn1.Type.SEQUENCE));
  const fqans = children(list, 'FQANs').map((v) => bytesOf(v, 'FQAN'));
  const vo = /^([^:/]+):\/\//.exec(policyAuthority)?.[1];
  if (vo === undefined) throw new MalformedDer(`the AC's policy authority ${JSON.stringify(policyAuthority)} names no VO`);
  return { policyAuthority, vo, fqans };
}

function readExtensions(node: Asn1): { oid: string; critical: boolean; value: string }[] {
  return children(node, 'AC extensions').map((ext) => {
    const parts = children(ext, 'AC extension');
    const critical = isUniversal(parts[1], forge.asn1.Type.BOOLEAN) ? bytesOf(parts[1], 'critical') !== '\x00' : false;
    return { oid: oidOf(parts[0], 'AC extension id'), critical, value: bytesOf(parts[parts.length - 1], 'AC extension value') };
  });
}

/** Every URI ([6]) or dNSName ([2]) string below a node: how targets and policy authorities are named. */
function collectNames(node: Asn1): string[] {
  if (!Array.isArray(node.value)) {
    return node.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && (node.type === 6 || node.type === 2) ? [node.value] : [];
  }
  return node.value.flatMap(collectNames);
}
