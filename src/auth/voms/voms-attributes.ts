import type { TrustSnapshot } from '../x509/ca-directory';
import { ChainRejected, validateChain, type ValidatedChain } from '../x509/chain-validator';
import { formatDn, matchesSlashDn, sameName, type DistinguishedName } from '../x509/distinguished-name';
import { OID } from '../x509/oids';
import type { ParsedCertificate } from '../x509/parsed-certificate';
import { verifySignedData } from '../x509/signed-data';
import { parseVomsExtension, type AttributeCertificate } from './attribute-certificate';
import { inVo, normalizeFqan } from './fqan';
import type { VomsTrustSnapshot } from './voms-directory';

/** A VOMS attribute certificate that was presented and is not acceptable: the request is refused. */
export class AttributeCertificateRejected extends Error {}

export interface VomsAttributes {
  /** Normalized FQANs of every AC, primary first, without duplicates. */
  readonly fqans: readonly string[];
  readonly vos: readonly string[];
}

export interface VomsCheck {
  readonly vomsTrust: VomsTrustSnapshot | undefined;
  readonly caTrust: TrustSnapshot;
  /** Names by which this service is a target of targeted ACs. */
  readonly targets: readonly string[];
  readonly now: Date;
}

// Extensions an AC may mark critical: replicat checks targets and reads the rest.
const UNDERSTOOD_AC_CRITICAL = new Set<string>([OID.acTargets, OID.vomsCertificates, OID.vomsTags, OID.acNoRevAvail, OID.authorityKeyIdentifier]);

/**
 * The VOMS attributes of a validated chain: the ACs of the proxy nearest the leaf that carries any,
 * each checked for signature (a trusted VOMS server of its VO), validity, holder (the chain's
 * end-entity), critical extensions and targets. Undefined when no proxy carries ACs; throws
 * AttributeCertificateRejected when one is present but not acceptable, never silently ignoring it.
 */
export function vomsAttributes(chain: ValidatedChain, check: VomsCheck): VomsAttributes | undefined {
  const carrier = chain.proxies.find((p) => p.cert.extensions.has(OID.vomsAcSequence));
  if (carrier === undefined) return undefined;
  let acs: AttributeCertificate[];
  try {
    acs = parseVomsExtension(carrier.cert.extensions.get(OID.vomsAcSequence)!.value);
  } catch (error) {
    throw new AttributeCertificateRejected(`the VOMS attribute certificate cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (acs.length === 0) throw new AttributeCertificateRejected('the VOMS extension holds no attribute certificate');
  const fqans: string[] = [];
  const vos: string[] = [];
  for (const ac of acs) {
    for (const fqan of checkAttributeCertificate(ac, chain.endEntity, check)) if (!fqans.includes(fqan)) fqans.push(fqan);
    if (!vos.includes(ac.vo)) vos.push(ac.vo);
  }
  return { fqans, vos };
}

function checkAttributeCertificate(ac: AttributeCertificate, holder: ParsedCertificate, check: VomsCheck): string[] {
  const what = `the VOMS attribute certificate of ${ac.vo} from ${formatDn(ac.issuer)}`;
  if (check.now < ac.notBefore) throw new AttributeCertificateRejected(`${what} is not valid before ${ac.notBefore.toISOString()}`);
  if (check.now > ac.notAfter) throw new AttributeCertificateRejected(`${what} expired at ${ac.notAfter.toISOString()}`);
  const holderMatches =
    ac.holderSerial !== undefined
      ? ac.holderSerial === holder.serial &&
        ac.holderIssuer !== undefined &&
        // VOMS servers write the holder's subject where RFC 5755 wants its issuer; VOMS's own
        // verifier (verify.cc, check_cert) accepts either, and so must replicat to read real ACs.
        (sameName(ac.holderIssuer, holder.issuer) || sameName(ac.holderIssuer, holder.subject))
      : ac.holderName !== undefined && sameName(ac.holderName, holder.subject);
  if (!holderMatches) throw new AttributeCertificateRejected(`${what} was issued to another certificate than ${holder.subjectDn}`);
  const unknown = ac.criticalExtensions.filter((oid) => !UNDERSTOOD_AC_CRITICAL.has(oid));
  if (unknown.length > 0) throw new AttributeCertificateRejected(`${what} has critical extensions replicat does not understand: ${unknown.join(', ')}`);
  if (ac.targets !== undefined && !ac.targets.some((t) => check.targets.includes(t.replace(/^[a-z]+:\/\//, '').replace(/[:/].*$/, '')))) {
    throw new AttributeCertificateRejected(`${what} is restricted to other services (${ac.targets.join(', ')})`);
  }
  if (!trustedSignature(ac, check)) throw new AttributeCertificateRejected(`${what} is not signed by a trusted VOMS server of ${ac.vo}`);
  return ac.fqans.map((raw) => {
    const fqan = normalizeFqan(raw);
    if (fqan === undefined) throw new AttributeCertificateRejected(`${what} carries a malformed FQAN ${JSON.stringify(raw)}`);
    // A VO's server speaks for its own VO only.
    if (!inVo(fqan, ac.vo)) throw new AttributeCertificateRejected(`${what} claims an FQAN of another VO: ${fqan}`);
    return fqan;
  });
}

function trustedSignature(ac: AttributeCertificate, check: VomsCheck): boolean {
  if (check.vomsTrust === undefined) return false;
  const trust = check.vomsTrust.forVo(ac.vo);
  // .lsc: the AC carries its server's chain; the chain must validate against the CA directory and
  // its DNs must be the ones the .lsc file lists.
  if (trust.lscChains.length > 0 && ac.certificates.length > 0) {
    let server: ValidatedChain | undefined;
    try {
      server = validateChain(ac.certificates, check.caTrust, check.now, { clientAuth: false, allowProxies: false });
    } catch (error) {
      if (!(error instanceof ChainRejected)) throw error;
    }
    if (server !== undefined && sameName(server.endEntity.subject, ac.issuer)) {
      const names: DistinguishedName[] = [server.endEntity.subject, server.endEntity.issuer, ...server.caPath.map((ca) => ca.issuer)];
      const listed = trust.lscChains.some((lines) => lines.length <= names.length && lines.every((line, i) => matchesSlashDn(line, names[i]!)));
      if (listed && verifySignedData(ac.tbs, ac.algorithm, ac.signature, server.endEntity.forge)) return true;
    }
  }
  // Plain certificate files: trusted as configured, still within their validity.
  return trust.certificates.some(
    (cert) =>
      sameName(cert.subject, ac.issuer) &&
      cert.notBefore <= check.now &&
      check.now <= cert.notAfter &&
      verifySignedData(ac.tbs, ac.algorithm, ac.signature, cert.forge),
  );
}
