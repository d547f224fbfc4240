/** Object identifiers replicat reads in certificates, CRLs and attribute certificates. */
export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  policyConstraints: '2.5.29.36',
  inhibitAnyPolicy: '2.5.29.54',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  crlDistributionPoints: '2.5.29.31',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  anyExtendedKeyUsage: '2.5.29.37.0',
  /** RFC 3820 ProxyCertInfo. */
  proxyCertInfo: '1.3.6.1.5.5.7.1.14',
  /** The pre-RFC (GSI-3 draft) ProxyCertInfo; replicat does not accept draft proxies. */
  draftProxyCertInfo: '1.3.6.1.4.1.3536.1.222',
  policyInheritAll: '1.3.6.1.5.5.7.21.1',
  policyIndependent: '1.3.6.1.5.5.7.21.2',
  policyLimited: '1.3.6.1.4.1.3536.1.1.1.9',
  /** VOMS: the attribute certificates a proxy carries, their FQAN attribute, the issuer's certificates. */
  vomsAcSequence: '1.3.6.1.4.1.8005.100.100.5',
  vomsFqans: '1.3.6.1.4.1.8005.100.100.4',
  vomsCertificates: '1.3.6.1.4.1.8005.100.100.10',
  vomsTags: '1.3.6.1.4.1.8005.100.100.11',
  acTargets: '2.5.29.55',
  acNoRevAvail: '2.5.29.56',
} as const;

/** Extensions a certificate may mark critical and still be accepted: replicat either checks them or they do not restrict its use. */
export const UNDERSTOOD_CRITICAL = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.proxyCertInfo,
  // replicat does no certificate-policy processing and requires no policy, so these cannot widen what it accepts.
  OID.certificatePolicies,
  OID.policyMappings,
  OID.policyConstraints,
  OID.inhibitAnyPolicy,
]);
