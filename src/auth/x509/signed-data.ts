import forge from 'node-forge';

// Signature algorithms replicat accepts on CRLs and attribute certificates (certificates go through
// forge's own verify). MD5 and MD2 are refused on purpose.
const DIGESTS: Readonly<Record<string, () => forge.md.MessageDigest>> = {
  '1.2.840.113549.1.1.5': () => forge.md.sha1.create(),
  '1.2.840.113549.1.1.11': () => forge.md.sha256.create(),
  '1.2.840.113549.1.1.12': () => forge.md.sha384.create(),
  '1.2.840.113549.1.1.13': () => forge.md.sha512.create(),
};

/** True when `signature` over `tbs` (DER, binary string) verifies with the RSA key of `signer`. */
export function verifySignedData(tbs: string, algorithmOid: string, signature: string, signer: forge.pki.Certificate): boolean {
  const digest = DIGESTS[algorithmOid];
  if (digest === undefined) return false;
  const md = digest();
  md.update(tbs);
  try {
    return (signer.publicKey as forge.pki.rsa.PublicKey).verify(md.digest().getBytes(), signature);
  } catch {
    return false;
  }
}

/** Whether forge's `issuer.verify(child)` holds, without its exceptions. */
export function issuerSigned(issuer: forge.pki.Certificate, child: forge.pki.Certificate): boolean {
  try {
    return issuer.verify(child);
  } catch {
    return false;
  }
}
