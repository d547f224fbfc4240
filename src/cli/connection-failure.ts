/**
 * One line for a connection that failed, from the transport's error chain (the SDK's NetworkError wraps
 * undici's `fetch failed`, which wraps Node's socket or TLS error with its `code`): what went wrong and
 * what to check, never OpenSSL's multi-part dump.
 */
export function describeConnectionFailure(error: unknown, url: string | undefined): string {
  const where = url === undefined ? 'the service' : url;
  const code = causeCode(error);
  if (code !== undefined) {
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'EPROTO') {
      return `${where} does not speak TLS there: an https:// URL for a plain http port? (${code})`;
    }
    if (/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT)$/.test(code)) {
      return `${where}: its certificate is signed by a CA this client does not trust; put the CA in X509_CERT_DIR (${code})`;
    }
    if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `${where}: its certificate is not valid now (${code})`;
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `${where}: its certificate is for another host name (${code})`;
    if (code === 'ECONNREFUSED') return `nothing listens at ${where} (${code})`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${where}: no such host (${code})`;
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `${where} closed the connection (${code})`;
    if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return `${where} did not answer the connection (${code})`;
  }
  return `${where}: ${firstLine(innermostMessage(error))}`;
}

function causeCode(error: unknown): string | undefined {
  let found: string | undefined;
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 6; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    // The SDK's own codes (`Network`) name the class, not the cause: the innermost code says what happened.
    if (typeof code === 'string' && /^[A-Z_0-9]+$/.test(code)) found = code;
    current = cause;
  }
  return found;
}

function innermostMessage(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 6; depth++) {
    const { message: text, cause } = current as { message?: unknown; cause?: unknown };
    if (typeof text === 'string' && text !== '') message = text;
    current = cause;
  }
  return message;
}

/** OpenSSL's messages run `hex:error:code:library:function:reason:file:line:`; the reason is what a person reads. */
function firstLine(message: string): string {
  const line = message.split('\n')[0]!.trim();
  const openssl = /^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(line);
  return openssl !== null ? openssl[1]! : line;
}
