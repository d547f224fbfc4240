import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { Server as TlsServer, TLSSocket } from 'node:tls';

/**
 * The certificate chain exactly as a TLS 1.2 client sent it, read from the cleartext handshake.
 *
 * Why: Node's `getPeerCertificate(true)` only returns the part of the client's chain that OpenSSL can
 * link by issuer (X509_check_issued), and OpenSSL does not link a legacy Globus proxy (subject ending
 * `CN=proxy` / `CN=limited proxy`) to a user certificate whose keyUsage lacks keyCertSign, so the
 * user certificate never reaches replicat's validator. No Node API exposes SSL_get_peer_cert_chain
 * (the raw sent chain), and OpenSSL 3's serialized session keeps only the leaf.
 *
 * How: in TLS 1.2 the client's Certificate handshake message travels in cleartext (it precedes the
 * client's ChangeCipherSpec), so each accepted TCP connection is passed through a stream that copies
 * the client's first bytes into {@link ClientCertificateSniffer} before the TLS layer reads them.
 * Trade-offs: the server this is installed on must be capped at TLS 1.2 (in TLS 1.3 the
 * client's Certificate is encrypted), and its TLS runs over a JavaScript stream (Node's
 * JSStreamSocket) rather than directly on the TCP handle, which costs some throughput.
 *
 * The sniffed chain is untrusted input like any other: it is used only if its first certificate is
 * byte for byte the leaf OpenSSL checked the client's CertificateVerify against, and the chain
 * validator still verifies every signature, name and extension itself.
 */

/** At most this many bytes of each connection are examined (a handshake with a long proxy chain fits easily). */
export const SNIFF_LIMIT = 64 * 1024;

const CONTENT_HANDSHAKE = 22;
const HANDSHAKE_CERTIFICATE = 11;
const HANDSHAKE_CLIENT_HELLO = 1;

/**
 * Reads the client-to-server bytes of a TLS 1.2 connection until the client's Certificate message
 * (then `chain` is its certificates, leaf first, possibly empty) or until anything that ends the
 * cleartext handshake (ChangeCipherSpec, alert, application data, a malformed record, or
 * {@link SNIFF_LIMIT} bytes), after which it ignores everything it is given.
 */
export class ClientCertificateSniffer {
  #records: Buffer = Buffer.alloc(0);
  #handshake: Buffer = Buffer.alloc(0);
  #seen = 0;
  #done = false;
  #chain: Buffer[] | undefined;

  /** True once nothing more will be read from the connection. */
  get done(): boolean {
    return this.#done;
  }

  /** The certificates of the client's Certificate message, leaf first; undefined if none was seen. */
  get chain(): readonly Buffer[] | undefined {
    return this.#chain;
  }

  push(chunk: Buffer): void {
    if (this.#done) return;
    this.#seen += chunk.length;
    if (this.#seen > SNIFF_LIMIT) return this.#finish();
    this.#records = this.#records.length === 0 ? chunk : Buffer.concat([this.#records, chunk]);
    while (!this.#done && this.#records.length >= 5) {
      const type = this.#records[0]!;
      const major = this.#records[1]!;
      const length = this.#records.readUInt16BE(3);
      if (type !== CONTENT_HANDSHAKE || major !== 3 || length === 0 || length > 16384 + 2048) return this.#finish();
      if (this.#records.length < 5 + length) return;
      this.#handshake = Buffer.concat([this.#handshake, this.#records.subarray(5, 5 + length)]);
      this.#records = this.#records.subarray(5 + length);
      this.#readMessages();
    }
  }

  #readMessages(): void {
    while (!this.#done && this.#handshake.length >= 4) {
      const type = this.#handshake[0]!;
      const length = this.#handshake.readUIntBE(1, 3);
      if (this.#handshake.length < 4 + length) return;
      const body = this.#handshake.subarray(4, 4 + length);
      this.#handshake = this.#handshake.subarray(4 + length);
      if (type === HANDSHAKE_CERTIFICATE) {
        this.#chain = certificateList(body);
        return this.#finish();
      }
      // The client's Certificate, when there is one, comes right after its ClientHello.
      if (type !== HANDSHAKE_CLIENT_HELLO) return this.#finish();
    }
  }

  #finish(): void {
    this.#done = true;
    this.#records = Buffer.alloc(0);
    this.#handshake = Buffer.alloc(0);
  }
}

/** The ASN.1Cert entries of a TLS 1.2 Certificate message body; undefined if it is malformed. */
function certificateList(body: Buffer): Buffer[] | undefined {
  if (body.length < 3 || body.readUIntBE(0, 3) !== body.length - 3) return undefined;
  const chain: Buffer[] = [];
  let at = 3;
  while (at < body.length) {
    if (at + 3 > body.length) return undefined;
    const length = body.readUIntBE(at, 3);
    at += 3;
    if (length === 0 || at + length > body.length) return undefined;
    chain.push(Buffer.from(body.subarray(at, at + length)));
    at += length;
  }
  return chain;
}

/** A TCP connection as a plain stream, copying what the client sends into a sniffer on the way. */
class SniffedConnection extends Duplex {
  readonly sniffer = new ClientCertificateSniffer();
  readonly #raw: Socket;

  constructor(raw: Socket) {
    super({ allowHalfOpen: raw.allowHalfOpen });
    this.#raw = raw;
    raw.on('data', (chunk: Buffer) => {
      if (!this.sniffer.done) this.sniffer.push(chunk);
      if (!this.push(chunk)) raw.pause();
    });
    raw.on('end', () => this.push(null));
    raw.on('error', (error) => this.destroy(error));
    raw.on('close', () => this.destroy());
  }

  override _read(): void {
    this.#raw.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.#raw.write(chunk, done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.#raw.end(() => done());
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#raw.destroy();
    done(error);
  }

  get raw(): Socket {
    return this.#raw;
  }
}

const sentChains = new WeakMap<TLSSocket, ClientCertificateSniffer>();

/**
 * Makes `server` (a `tls.Server` or `https.Server` capped at TLS 1.2, see {@link tlsServerOptions})
 * record the chain each client sends, for {@link sentChain}. Call it once, right after creating the
 * server and before it takes connections. The server keeps listening, closing and timing out as usual.
 */
export function recordSentChains(server: TlsServer): void {
  const listeners = server.listeners('connection') as ((this: TlsServer, socket: Duplex) => void)[];
  if (listeners.length !== 1) throw new Error(`expected the TLS server's own connection listener alone, found ${listeners.length}`);
  const [startTls] = listeners as [(this: TlsServer, socket: Duplex) => void];
  server.removeListener('connection', startTls);
  server.on('connection', (raw: Socket) => startTls.call(server, new SniffedConnection(raw)));
  server.prependListener('secureConnection', (socket: TLSSocket) => {
    const connection = underlyingStream(socket);
    if (!(connection instanceof SniffedConnection)) return;
    sentChains.set(socket, connection.sniffer);
    // Over a JavaScript stream Node does not know the peer's address; give the TLS socket the TCP one.
    const { remoteAddress, remotePort, remoteFamily } = connection.raw;
    Object.defineProperties(socket, {
      remoteAddress: { value: remoteAddress, configurable: true },
      remotePort: { value: remotePort, configurable: true },
      remoteFamily: { value: remoteFamily, configurable: true },
    });
    // A renegotiated handshake is encrypted: its certificates could not be read, so refuse it.
    socket.disableRenegotiation();
  });
}

/**
 * The chain the client sent on this connection, leaf first, if it was recorded (see
 * {@link recordSentChains}) and its leaf is the certificate OpenSSL saw the client prove it holds.
 */
export function sentChain(socket: TLSSocket, leaf: Buffer): readonly Buffer[] | undefined {
  const chain = sentChains.get(socket)?.chain;
  if (chain === undefined || chain.length === 0 || !chain[0]!.equals(leaf)) return undefined;
  return chain;
}

/**
 * The stream a TLS socket was created over. Node keeps it only in internal fields (the TLS handle's
 * `_parentWrap`, a JSStreamSocket whose `stream` is ours); if a Node release renames them this
 * returns undefined and the server falls back to Node's own linked chain (legacy proxies refused).
 */
function underlyingStream(socket: TLSSocket): unknown {
  const handle = (socket as unknown as { _handle?: { _parentWrap?: { stream?: unknown } } })._handle;
  return handle?._parentWrap?.stream;
}
