import type { Socket } from 'node:net';
import { TLSSocket, type DetailedPeerCertificate } from 'node:tls';
import { pemCertificates } from './x509/parsed-certificate';

/**
 * The certificate chain a TLS client presented, leaf first, as DER; undefined when it presented none
 * (or the connection is not TLS). Node links each certificate to the next one it presented; the
 * chain is validated by replicat afterwards, not by OpenSSL, which does not accept proxies.
 */
export function tlsPeerChain(socket: Socket): Buffer[] | undefined {
  if (!(socket instanceof TLSSocket)) return undefined;
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  if (cert === undefined || cert.raw === undefined) return undefined;
  const chain: Buffer[] = [];
  const seen = new Set<DetailedPeerCertificate>();
  while (cert !== undefined && cert.raw !== undefined && !seen.has(cert) && chain.length < 32) {
    seen.add(cert);
    chain.push(cert.raw);
    cert = cert.issuerCertificate;
  }
  return chain;
}

/**
 * The chain a TLS-terminating front end forwards in a header: PEM, URL-escaped as nginx's
 * `$ssl_client_escaped_cert` does, or with line breaks folded into spaces as Apache's `SSL_CLIENT_CERT`
 * arrives; several certificates (leaf first) may follow each other for proxy chains.
 */
export function headerChain(value: string): Buffer[] {
  let text = value;
  if (/%[0-9A-Fa-f]{2}/.test(text)) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return [];
    }
  }
  return pemCertificates(text);
}
