import type { TrustSnapshot } from './ca-directory';
import { sameName } from './distinguished-name';
import { OID, UNDERSTOOD_CRITICAL } from './oids';
import { parseCertificate, type ParsedCertificate } from './parsed-certificate';
import { extendsIssuerName, proxyInfo, type ProxyInfo } from './proxy-certificate';
import { issuerSigned } from './signed-data';

/** A chain that was refused, with a reason safe to show the client. */
export class ChainRejected extends Error {}

export interface ValidatedChain {
  /** The end-entity (user or host) certificate: the identity. */
  readonly endEntity: ParsedCertificate;
  /** Proxies from the presented leaf down to the one the end-entity signed. */
  readonly proxies: readonly { readonly cert: ParsedCertificate; readonly info: ProxyInfo }[];
  /** A limited proxy anywhere in the chain makes the whole chain limited (it cannot be widened below). */
  readonly limited: boolean;
  /** The CA certificates from the end-entity's issuer up to the self-signed root, all from the CA directory. */
  readonly caPath: readonly ParsedCertificate[];
  /** When the first certificate of the chain expires. */
  readonly notAfter: Date;
}

export interface ChainOptions {
  /** For TLS clients: an end-entity with extendedKeyUsage must allow clientAuth. */
  readonly clientAuth: boolean;
  /** Whether proxies may precede the end-entity (not for VOMS server certificates). */
  readonly allowProxies: boolean;
}

const MAX_CHAIN = 16;
const MAX_CA_DEPTH = 10;

/**
 * Validates a presented chain (leaf first, DER) against a CA directory, without OpenSSL's help:
 * - proxies (RFC 3820 and legacy Globus, any depth): each signed by the next certificate, named as its
 *   issuer plus one CN, not a CA, within its issuer's ProxyCertInfo path length, of one kind throughout;
 * - the end-entity: not a CA, signed by a CA of the directory, not revoked by that CA's CRL;
 * - the CAs: from the directory only (presented intermediates are not trusted), each a CA by
 *   basicConstraints, with keyCertSign when keyUsage is present, within pathLen, up to a self-signed root;
 * - every certificate within its validity period, and no critical extension replicat does not understand.
 *
 * ```ts
 * const chain = validateChain(peerChain, caDirectory.snapshot, new Date(), { clientAuth: true, allowProxies: true });
 * chain.endEntity.subjectDn; // '/DC=org/DC=example/CN=Alice'
 * ```
 */
export function validateChain(ders: readonly Uint8Array[], trust: TrustSnapshot, now: Date, options: ChainOptions): ValidatedChain {
  if (ders.length === 0) throw new ChainRejected('no certificate presented');
  if (ders.length > MAX_CHAIN) throw new ChainRejected(`too many certificates presented (${ders.length}; at most ${MAX_CHAIN})`);
  const certs = ders.map((der, i) => {
    try {
      return parseCertificate(der);
    } catch (error) {
      throw new ChainRejected(`certificate ${i} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  });

  const proxies: { cert: ParsedCertificate; info: ProxyInfo }[] = [];
  let limited = false;
  let i = 0;
  for (;;) {
    const cert = certs[i]!;
    let info: ProxyInfo | undefined;
    try {
      info = proxyInfo(cert);
    } catch (error) {
      throw new ChainRejected(`${describe(cert)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (info === undefined) break;
    if (!options.allowProxies) throw new ChainRejected(`${describe(cert)} is a proxy certificate, which is not accepted here`);
    checkProxy(cert, info, certs[i + 1], proxies.length, proxies[0]?.info);
    checkCommon(cert, now);
    if (info.policy === 'limited') limited = true;
    proxies.push({ cert, info });
    i++;
  }

  const endEntity = certs[i]!;
  checkCommon(endEntity, now);
  if (endEntity.ca) throw new ChainRejected(`${describe(endEntity)} is a CA certificate, not a user or host certificate`);
  if (endEntity.subject.length === 0) throw new ChainRejected('the end-entity certificate has an empty subject');
  if (options.clientAuth && endEntity.extKeyUsage !== undefined && !endEntity.extKeyUsage.has(OID.clientAuth) && !endEntity.extKeyUsage.has(OID.anyExtendedKeyUsage)) {
    throw new ChainRejected(`${describe(endEntity)} is not meant for client authentication (extendedKeyUsage)`);
  }
  // Certificates presented after the end-entity are ignored: CAs come from the directory or not at all.
  const caPath = buildCaPath(endEntity, trust, now);
  return {
    endEntity,
    proxies,
    limited,
    caPath,
    notAfter: certs.slice(0, i + 1).reduce((min, c) => (c.notAfter < min ? c.notAfter : min), endEntity.notAfter),
  };
}

function checkProxy(
  proxy: ParsedCertificate,
  info: ProxyInfo,
  issuer: ParsedCertificate | undefined,
  proxiesAbove: number,
  leafInfo: ProxyInfo | undefined,
): void {
  const what = describe(proxy);
  if (issuer === undefined) throw new ChainRejected(`${what}: its issuer was not presented`);
  if (leafInfo !== undefined && leafInfo.kind !== info.kind) {
    throw new ChainRejected(`${what}: a chain may not mix RFC 3820 and legacy proxies`);
  }
  if (typeof info.policy === 'object') throw new ChainRejected(`${what}: unknown proxy policy language ${info.policy.other}`);
  if (info.policy === 'independent') {
    // An independent proxy carries none of its issuer's rights and has no identity of its own here.
    throw new ChainRejected(`${what}: independent proxies are not accepted`);
  }
  if (!sameName(proxy.issuer, issuer.subject)) {
    throw new ChainRejected(`${what}: was not issued by the certificate presented after it (${issuer.subjectDn})`);
  }
  if (!extendsIssuerName(proxy, issuer)) {
    throw new ChainRejected(`${what}: a proxy's subject must be its issuer's subject plus one CN`);
  }
  if (proxy.ca) throw new ChainRejected(`${what}: a proxy may not be a CA`);
  if (proxy.keyUsage?.has('keyCertSign')) throw new ChainRejected(`${what}: a proxy may not sign certificates`);
  if (issuer.ca) throw new ChainRejected(`${what}: a proxy must be signed by a user, host or proxy certificate, not a CA`);
  if (issuer.keyUsage !== undefined && !issuer.keyUsage.has('digitalSignature')) {
    throw new ChainRejected(`${what}: its issuer's keyUsage does not allow digitalSignature`);
  }
  const issuerInfo = proxyInfo(issuer);
  if (issuerInfo?.pathLength !== undefined && proxiesAbove + 1 > issuerInfo.pathLength) {
    throw new ChainRejected(`${what}: exceeds its issuer's proxy path length (${issuerInfo.pathLength})`);
  }
  if (!issuerSigned(issuer.forge, proxy.forge)) throw new ChainRejected(`${what}: bad signature`);
}

function buildCaPath(endEntity: ParsedCertificate, trust: TrustSnapshot, now: Date): ParsedCertificate[] {
  const path: ParsedCertificate[] = [];
  let current = endEntity;
  for (let depth = 0; depth < MAX_CA_DEPTH; depth++) {
    const candidates = trust.casBySubject(current.issuer);
    if (candidates.length === 0) throw new ChainRejected(`${describe(current)}: issued by ${current.issuerDn}, which is not a trusted CA`);
    const signers = candidates.filter((ca) => issuerSigned(ca.forge, current.forge));
    if (signers.length === 0) throw new ChainRejected(`${describe(current)}: bad signature (not signed by the trusted ${current.issuerDn})`);
    const ca = signers.find((c) => c.notBefore <= now && now <= c.notAfter) ?? signers[0]!;
    checkCommon(ca, now);
    if (!ca.ca) throw new ChainRejected(`${ca.subjectDn} is in the CA directory but is not a CA (basicConstraints)`);
    if (ca.keyUsage !== undefined && !ca.keyUsage.has('keyCertSign')) throw new ChainRejected(`${ca.subjectDn} may not sign certificates (keyUsage)`);
    // pathLen counts the non-self-issued intermediate CAs below this one (RFC 5280 §4.2.1.9).
    if (ca.pathLength !== undefined && path.length > ca.pathLength) {
      throw new ChainRejected(`${ca.subjectDn}: path length constraint (${ca.pathLength}) exceeded`);
    }
    checkRevocation(current, ca, trust, now);
    path.push(ca);
    if (sameName(ca.subject, ca.issuer) && issuerSigned(ca.forge, ca.forge)) return path;
    current = ca;
  }
  throw new ChainRejected('the CA chain is too long or loops');
}

function checkRevocation(cert: ParsedCertificate, ca: ParsedCertificate, trust: TrustSnapshot, now: Date): void {
  for (const crl of trust.crlsOf(ca)) {
    if (crl.nextUpdate !== undefined && crl.nextUpdate < now) {
      // As OpenSSL does with CRL checking on: a stale CRL cannot vouch for anything the CA issued.
      throw new ChainRejected(`the CRL of ${ca.subjectDn} expired at ${crl.nextUpdate.toISOString()}`);
    }
    if (crl.revoked.has(cert.serial)) throw new ChainRejected(`${describe(cert)} has been revoked by ${ca.subjectDn}`);
  }
}

function checkCommon(cert: ParsedCertificate, now: Date): void {
  if (now < cert.notBefore) throw new ChainRejected(`${describe(cert)} is not valid before ${cert.notBefore.toISOString()}`);
  if (now > cert.notAfter) throw new ChainRejected(`${describe(cert)} expired at ${cert.notAfter.toISOString()}`);
  for (const ext of cert.extensions.values()) {
    if (ext.critical && !UNDERSTOOD_CRITICAL.has(ext.oid)) {
      throw new ChainRejected(`${describe(cert)} has a critical extension replicat does not understand (${ext.oid})`);
    }
  }
}

function describe(cert: ParsedCertificate): string {
  return `certificate ${JSON.stringify(cert.subjectDn)}`;
}
