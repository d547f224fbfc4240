import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { nameKey, sameName, type DistinguishedName } from './distinguished-name';
import { parseCertificate, pemCertificates, type ParsedCertificate } from './parsed-certificate';
import { parseRevocationList, signedBy, type RevocationList } from './revocation-list';

/** What a CA directory held when it was last read: trusted CA certificates and their CRLs. */
export interface TrustSnapshot {
  /** CA certificates with this subject (more than one during a CA's key roll-over). */
  casBySubject(name: DistinguishedName): readonly ParsedCertificate[];
  /** The CRLs in the directory that `ca` signed. */
  crlsOf(ca: ParsedCertificate): readonly RevocationList[];
  readonly loadedAt: Date;
  readonly size: number;
}

// OpenSSL's hashed layout: `<8 hex>.<n>` for certificates, `<8 hex>.r<n>` for CRLs. Other files in the
// directory (.signing_policy, .namespaces, .info, .crl_url) are not read.
const CERT_FILE = /^[0-9a-f]{8}\.\d+$/;
const CRL_FILE = /^[0-9a-f]{8}\.r\d+$/;

/** Reads a CA directory; files that do not parse are skipped and logged, never trusted. */
export function loadCaDirectory(dir: string, logger?: Logger): TrustSnapshot {
  const cas = new Map<string, ParsedCertificate[]>();
  const crls: RevocationList[] = [];
  for (const file of readdirSync(dir).sort()) {
    const path = join(dir, file);
    try {
      if (CERT_FILE.test(file)) {
        for (const der of derBlocks(readFileSync(path), 'CERTIFICATE')) {
          const cert = parseCertificate(der);
          const key = nameKey(cert.subject);
          cas.set(key, [...(cas.get(key) ?? []), cert]);
        }
      } else if (CRL_FILE.test(file)) {
        for (const der of derBlocks(readFileSync(path), 'X509 CRL')) crls.push(parseRevocationList(der, path));
      }
    } catch (error) {
      logger?.warn({ file: path, err: error }, 'CA directory: skipping a file that does not parse');
    }
  }
  const crlCache = new Map<ParsedCertificate, readonly RevocationList[]>();
  return {
    casBySubject: (name) => cas.get(nameKey(name)) ?? [],
    crlsOf(ca) {
      let found = crlCache.get(ca);
      if (found === undefined) {
        found = crls.filter((crl) => sameName(crl.issuer, ca.subject) && signedBy(crl, ca));
        crlCache.set(ca, found);
      }
      return found;
    },
    loadedAt: new Date(),
    size: [...cas.values()].reduce((n, list) => n + list.length, 0),
  };
}

/** PEM blocks of one label, or the whole file when it is DER. */
function derBlocks(content: Buffer, label: 'CERTIFICATE' | 'X509 CRL'): Buffer[] {
  const text = content.toString('latin1');
  if (!text.includes('-----BEGIN')) return [content];
  if (label === 'CERTIFICATE') return pemCertificates(text);
  const blocks = text.match(/-----BEGIN X509 CRL-----[\s\S]*?-----END X509 CRL-----/g) ?? [];
  return blocks.map((b) => Buffer.from(b.replace(/-----(BEGIN|END) X509 CRL-----/g, '').replace(/\s+/g, ''), 'base64'));
}
