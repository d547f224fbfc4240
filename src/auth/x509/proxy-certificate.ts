import forge from 'node-forge';
import { children, isUniversal, oidOf, readDer, smallInteger } from './der';
import { COMMON_NAME, sameName } from './distinguished-name';
import { OID } from './oids';
import type { ParsedCertificate } from './parsed-certificate';

/**
 * What a proxy certificate says about itself. `policy` follows RFC 3820 §3.8 (the policy language):
 * inheritAll (a full impersonation proxy), limited (Globus' limited proxy), independent (no rights of
 * its issuer), or another language replicat does not interpret.
 */
export type ProxyInfo =
  | { readonly kind: 'rfc'; readonly policy: ProxyPolicy; readonly pathLength: number | undefined }
  | { readonly kind: 'legacy'; readonly policy: 'inheritAll' | 'limited'; readonly pathLength: undefined };

export type ProxyPolicy = 'inheritAll' | 'limited' | 'independent' | { readonly other: string };

export class NotAProxy extends Error {}

/**
 * Classifies a certificate as an RFC 3820 proxy (it carries ProxyCertInfo), a legacy Globus proxy (its
 * subject is its issuer's plus `CN=proxy` or `CN=limited proxy`), or neither (undefined).
 */
export function proxyInfo(cert: ParsedCertificate): ProxyInfo | undefined {
  const pci = cert.extensions.get(OID.proxyCertInfo);
  if (pci !== undefined) {
    if (!pci.critical) throw new NotAProxy('ProxyCertInfo must be critical (RFC 3820 §3.8)');
    return { kind: 'rfc', ...readProxyCertInfo(pci.value) };
  }
  const last = cert.subject[cert.subject.length - 1];
  const cn = last !== undefined && last.length === 1 && last[0]!.oid === COMMON_NAME ? last[0]!.value : undefined;
  if ((cn === 'proxy' || cn === 'limited proxy') && sameName(cert.subject.slice(0, -1), cert.issuer)) {
    return { kind: 'legacy', policy: cn === 'proxy' ? 'inheritAll' : 'limited', pathLength: undefined };
  }
  return undefined;
}

function readProxyCertInfo(value: string): { policy: ProxyPolicy; pathLength: number | undefined } {
  const parts = children(readDer(value), 'ProxyCertInfo');
  let pathLength: number | undefined;
  let i = 0;
  if (isUniversal(parts[0], forge.asn1.Type.INTEGER)) pathLength = smallInteger(parts[i++], 'pCPathLenConstraint');
  const language = oidOf(children(parts[i], 'proxyPolicy')[0], 'policyLanguage');
  switch (language) {
    case OID.policyInheritAll:
      return { policy: 'inheritAll', pathLength };
    case OID.policyLimited:
      return { policy: 'limited', pathLength };
    case OID.policyIndependent:
      return { policy: 'independent', pathLength };
    default:
      return { policy: { other: language }, pathLength };
  }
}

/** A proxy's subject must be its issuer's subject plus exactly one RDN holding a single CN. */
export function extendsIssuerName(proxy: ParsedCertificate, issuer: ParsedCertificate): boolean {
  const last = proxy.subject[proxy.subject.length - 1];
  return (
    proxy.subject.length === issuer.subject.length + 1 &&
    sameName(proxy.subject.slice(0, -1), issuer.subject) &&
    last !== undefined &&
    last.length === 1 &&
    last[0]!.oid === COMMON_NAME &&
    last[0]!.value.length > 0
  );
}
