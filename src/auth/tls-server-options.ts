import { constants } from 'node:crypto';
import type { ServerOptions } from 'node:https';

/**
 * HTTPS that asks for a client certificate but lets every chain through the handshake: OpenSSL
 * rejects proxy certificates, so the Authenticator validates the chain itself on each request.
 * Session tickets are off because a resumed session carries no peer chain to validate.
 */
export function tlsServerOptions(cert: Buffer | string, key: Buffer | string): ServerOptions {
  return {
    cert,
    key,
    requestCert: true,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
    secureOptions: constants.SSL_OP_NO_TICKET,
  };
}
