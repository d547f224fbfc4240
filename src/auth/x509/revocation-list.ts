import forge from 'node-forge';
import { bitStringBytes, children, integerHex, isContext, isUniversal, oidOf, readDer, timeOf, toDerBytes } from './der';
import { readName, type DistinguishedName } from './distinguished-name';
import type { ParsedCertificate } from './parsed-certificate';
import { verifySignedData } from './signed-data';

/** A CRL as read from the CA directory; forge has no CRL support, so it is read with forge.asn1. */
export interface RevocationList {
  readonly issuer: DistinguishedName;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly revoked: ReadonlySet<string>;
  readonly file: string;
  readonly tbs: string;
  readonly algorithm: string;
  readonly signature: string;
}

export function parseRevocationList(der: Uint8Array, file: string): RevocationList {
  const [tbsNode, algorithm, signature] = children(readDer(der), 'CRL');
  const fields = children(tbsNode, 'tbsCertList');
  let i = isUniversal(fields[0], forge.asn1.Type.INTEGER) ? 1 : 0; // optional version
  i++; // signature algorithm (repeated outside)
  const issuer = readName(fields[i++], 'CRL issuer');
  const thisUpdate = timeOf(fields[i++], 'thisUpdate');
  let nextUpdate: Date | undefined;
  const maybeNext = fields[i];
  if (isUniversal(maybeNext, forge.asn1.Type.UTCTIME) || isUniversal(maybeNext, forge.asn1.Type.GENERALIZEDTIME)) {
    nextUpdate = timeOf(maybeNext, 'nextUpdate');
    i++;
  }
  const revoked = new Set<string>();
  const list = fields[i];
  if (isUniversal(list, forge.asn1.Type.SEQUENCE) && !isContext(list, 0)) {
    for (const entry of children(list, 'revokedCertificates')) revoked.add(integerHex(children(entry, 'revoked entry')[0], 'serial'));
  }
  return {
    issuer,
    thisUpdate,
    nextUpdate,
    revoked,
    file,
    tbs: toDerBytes(tbsNode!),
    algorithm: oidOf(children(algorithm, 'CRL algorithm')[0], 'CRL algorithm'),
    signature: bitStringBytes(signature, 'CRL signature'),
  };
}

/** A CRL counts only when the CA it names signed it. */
export function signedBy(crl: RevocationList, ca: ParsedCertificate): boolean {
  return verifySignedData(crl.tbs, crl.algorithm, crl.signature, ca.forge);
}
