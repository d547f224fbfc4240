import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How the client proves who it is. X.509 needs an `https://` endpoint: the certificate (with its chain,
 * leaf first) is presented in the TLS handshake, as grid clients do.
 */
export type Credentials =
  | { readonly type: 'x509'; readonly certificate: string; readonly key: string; readonly source?: string }
  | { readonly type: 'bearer'; readonly token: string }
  | { readonly type: 'basic'; readonly username: string; readonly password: string }
  | { readonly type: 'none' };

/** Credentials and the CA certificates to trust for the service's own certificate. */
export interface CredentialSettings {
  readonly credentials: Credentials;
  /** PEM certificates of trusted CAs (`X509_CERT_DIR`); undefined: Node's default CA list. */
  readonly ca?: readonly string[];
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const PRIVATE_KEY = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/;

/**
 * A grid proxy file (`grid-proxy-init`, `voms-proxy-init`): the proxy certificate, its key, then the
 * certificates it was signed with, all in one PEM file.
 */
export function x509ProxyFile(path: string): Credentials {
  const text = readFileSync(path, 'utf8');
  return fromPem(text, text, path);
}

/** A certificate file (with its chain, leaf first) and its unencrypted key file. */
export function x509CertificateFiles(certificatePath: string, keyPath: string): Credentials {
  return fromPem(readFileSync(certificatePath, 'utf8'), readFileSync(keyPath, 'utf8'), certificatePath);
}

function fromPem(certificateText: string, keyText: string, source: string): Credentials {
  const certificates = certificateText.match(CERTIFICATE) ?? [];
  if (certificates.length === 0) throw new TypeError(`${source}: no certificate in the file`);
  const key = PRIVATE_KEY.exec(keyText);
  if (key === null) throw new TypeError(`${source}: no private key found`);
  if (key[1] === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(key[0])) {
    throw new TypeError(`${source}: the private key is encrypted; make a proxy (grid-proxy-init) and use X509_USER_PROXY`);
  }
  return { type: 'x509', certificate: certificates.join('\n'), key: key[0], source };
}

/**
 * The CA certificates of a grid CA directory (`/etc/grid-security/certificates`): the `<hash>.<n>`
 * files and `*.pem` files holding certificates. CRLs, signing policies and namespaces files are skipped.
 */
export function caCertificates(directory: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(directory).sort()) {
    if (!/^[0-9a-f]{8}\.\d+$/.test(name) && !name.endsWith('.pem')) continue;
    const path = join(directory, name);
    if (!statSync(path).isFile()) continue;
    out.push(...(readFileSync(path, 'utf8').match(CERTIFICATE) ?? []));
  }
  return out;
}

type Environment = Readonly<Record<string, string | undefined>>;

const GRID_CA_DIRECTORY = '/etc/grid-security/certificates';

/**
 * Credentials from the environment, by grid conventions first:
 *
 * 1. `X509_USER_PROXY`: a proxy file;
 * 2. `X509_USER_CERT` and `X509_USER_KEY`: a certificate and its unencrypted key;
 * 3. `REPLICAT_TOKEN`: a bearer token (`POST /api/v1/tokens`);
 * 4. `REPLICAT_USER` and `REPLICAT_PASSWORD`: HTTP Basic with a local account;
 * 5. the default proxy `/tmp/x509up_u<uid>`, when it exists;
 * 6. none.
 *
 * The service's certificate is checked against `X509_CERT_DIR`, else `/etc/grid-security/certificates`
 * when it exists, else Node's default CAs.
 *
 * ```ts
 * const client = new ReplicatClient({ baseUrl: 'https://catalog.example.org:8443', ...credentialsFromEnvironment() });
 * ```
 */
export function credentialsFromEnvironment(env: Environment = process.env): CredentialSettings {
  const ca = trustFromEnvironment(env);
  return { credentials: chooseCredentials(env), ...(ca !== undefined ? { ca } : {}) };
}

function chooseCredentials(env: Environment): Credentials {
  const proxy = nonEmpty(env.X509_USER_PROXY);
  if (proxy !== undefined) return x509ProxyFile(proxy);
  const cert = nonEmpty(env.X509_USER_CERT);
  const key = nonEmpty(env.X509_USER_KEY);
  if (cert !== undefined || key !== undefined) {
    if (cert === undefined || key === undefined) throw new TypeError('X509_USER_CERT and X509_USER_KEY go together: set both');
    return x509CertificateFiles(cert, key);
  }
  const token = nonEmpty(env.REPLICAT_TOKEN);
  if (token !== undefined) return { type: 'bearer', token };
  const username = nonEmpty(env.REPLICAT_USER);
  if (username !== undefined) return { type: 'basic', username, password: env.REPLICAT_PASSWORD ?? '' };
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const defaultProxy = uid === undefined ? undefined : `/tmp/x509up_u${uid}`;
  if (defaultProxy !== undefined && existsSync(defaultProxy)) return x509ProxyFile(defaultProxy);
  return { type: 'none' };
}

function trustFromEnvironment(env: Environment): string[] | undefined {
  const directory = nonEmpty(env.X509_CERT_DIR) ?? (existsSync(GRID_CA_DIRECTORY) ? GRID_CA_DIRECTORY : undefined);
  return directory === undefined ? undefined : caCertificates(directory);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** The Authorization header of token and password credentials; certificates authenticate in TLS instead. */
export function authorizationHeader(credentials: Credentials): string | undefined {
  switch (credentials.type) {
    case 'bearer':
      return `Bearer ${credentials.token}`;
    case 'basic':
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
    case 'x509':
    case 'none':
      return undefined;
  }
}
