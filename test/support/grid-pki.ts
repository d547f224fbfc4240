import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The grid tools the certificate tests need (Debian: openssl, globus-proxy-utils, voms-clients). */
export const GRID_TOOLS = ['openssl', 'grid-proxy-init', 'voms-proxy-fake'] as const;

export function missingGridTools(): string[] {
  return GRID_TOOLS.filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

/** A credential as a TLS client presents it: the certificate chain (leaf first) and the leaf's key. */
export interface Credential {
  readonly chain: string;
  readonly key: string;
}

export const DN = {
  ca: '/DC=org/DC=test/CN=Test CA',
  alice: '/DC=org/DC=test/OU=Users/CN=Alice',
  bob: '/DC=org/DC=test/OU=Users/CN=Bob',
  voms: '/DC=org/DC=test/CN=voms.test.org',
} as const;

const USER_EXT = 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';
const HOST_EXT = 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,keyEncipherment\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';
const SERVER_EXT = 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n';

/**
 * A test grid PKI made with the tools grid users use (../shared/reference/test-pki.md): a CA directory
 * with a CRL, users, a VOMS server with its .lsc, and proxies from grid-proxy-init and voms-proxy-fake.
 */
export class GridPki {
  readonly dir: string;
  readonly certDir: string;
  readonly vomsDir: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'replicat-pki-'));
    this.certDir = join(this.dir, 'certs');
    this.vomsDir = join(this.dir, 'vomsdir');
    mkdirSync(this.certDir);
    mkdirSync(join(this.vomsDir, 'testvo'), { recursive: true });
    this.#file('user.ext', USER_EXT);
    this.#file('host.ext', HOST_EXT);
    this.#file('server.ext', SERVER_EXT);
    this.#ca('ca', DN.ca);
    this.#ca('other-ca', '/DC=org/DC=other/CN=Other CA');
    copyFileSync(this.path('ca.pem'), join(this.certDir, `${this.#hash('ca.pem')}.0`));
    this.issue('alice', DN.alice, 'ca', 'user.ext');
    this.issue('bob', DN.bob, 'ca', 'user.ext');
    this.issue('carol', '/DC=org/DC=test/OU=Users/CN=Carol', 'ca', 'user.ext');
    this.issue('eve', '/DC=org/DC=test/OU=Users/CN=Eve', 'other-ca', 'user.ext');
    this.issue('voms', DN.voms, 'ca', 'host.ext');
    this.issue('rogue-voms', '/DC=org/DC=test/CN=rogue.test.org', 'ca', 'host.ext');
    this.issue('server', '/DC=org/DC=test/CN=localhost', 'ca', 'server.ext');
    // A self-signed certificate that claims Alice's name.
    this.#run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'mallory.key', '-out', 'mallory.pem', '-days', '5', '-subj', DN.alice, '-addext', 'basicConstraints=critical,CA:false', '-addext', 'extendedKeyUsage=clientAuth']);
    this.#revoke('carol');
    this.#file('vomsdir/testvo/voms.test.org.lsc', `${DN.voms}\n${DN.ca}\n`);
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  /** A user's own certificate and key. */
  user(name: string): Credential {
    return { chain: this.#read(`${name}.pem`), key: this.#read(`${name}.key`) };
  }

  /** A proxy made by grid-proxy-init (`-rfc`, `-old`, `-limited`, `-independent`, ...) from a user's or a proxy's credential. */
  gridProxy(out: string, from: string, ...flags: string[]): Credential {
    const [cert, key] = from.endsWith('.pem') ? [from, from] : [`${from}.pem`, `${from}.key`];
    this.#run('grid-proxy-init', ['-q', '-cert', cert, '-key', key, '-out', out, ...flags], { X509_CERT_DIR: this.certDir });
    return this.proxyFile(out);
  }

  /** A proxy made by voms-proxy-fake: with `-voms`/`-fqan` an AC, with `-pastproxy`, `-newsubject`, ... a broken one. */
  fakeProxy(out: string, user: string, ...flags: string[]): Credential {
    this.#run('voms-proxy-fake', ['-q', '-certdir', this.certDir, '-cert', `${user}.pem`, '-key', `${user}.key`, '-out', out, '-rfc', ...flags]);
    return this.proxyFile(out);
  }

  /** A VOMS proxy of `user` from the VOMS server `server` (its certificate and key files' base name). */
  vomsProxy(out: string, user: string, server: string, fqans: readonly string[], ...flags: string[]): Credential {
    return this.fakeProxy(
      out,
      user,
      '-hostcert',
      `${server}.pem`,
      '-hostkey',
      `${server}.key`,
      '-voms',
      'testvo',
      '-uri',
      'voms.test.org:15000',
      ...fqans.flatMap((f) => ['-fqan', f]),
      ...flags,
    );
  }

  /** A proxy file as the tools write it: proxy certificate, its key, then the chain. */
  proxyFile(file: string): Credential {
    const text = this.#read(file);
    const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    const key = /-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]*?-----END (RSA )?PRIVATE KEY-----/.exec(text)?.[0];
    if (key === undefined) throw new Error(`no private key in ${file}`);
    return { chain: certs.join('\n'), key };
  }

  issue(name: string, subject: string, ca: string, ext: string): void {
    this.#run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    this.#run('openssl', ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '20', '-extfile', ext]);
    chmodSync(this.path(`${name}.key`), 0o600);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  #ca(name: string, subject: string): void {
    this.#run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', '-subj', subject,
      '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'subjectKeyIdentifier=hash']);
  }

  /** Revokes with `openssl ca` and installs the CRL as the CA directory's `<hash>.r0`. */
  #revoke(name: string): void {
    this.#file('index.txt', '');
    this.#file('crlnumber', '01\n');
    this.#file('ca.cnf', `[ca]\ndefault_ca = test\n[test]\ndatabase = ${this.path('index.txt')}\ncrlnumber = ${this.path('crlnumber')}\ncertificate = ${this.path('ca.pem')}\nprivate_key = ${this.path('ca.key')}\ndefault_md = sha256\ndefault_crl_days = 30\n`);
    this.#run('openssl', ['ca', '-config', 'ca.cnf', '-revoke', `${name}.pem`]);
    this.#run('openssl', ['ca', '-config', 'ca.cnf', '-gencrl', '-out', 'ca.crl']);
    copyFileSync(this.path('ca.crl'), join(this.certDir, `${this.#hash('ca.pem')}.r0`));
  }

  #hash(file: string): string {
    return this.#run('openssl', ['x509', '-hash', '-noout', '-in', file]).trim();
  }

  #file(name: string, content: string): void {
    writeFileSync(this.path(name), content);
  }

  #read(name: string): string {
    return readFileSync(this.path(name), 'utf8');
  }

  #run(command: string, args: readonly string[], env: Record<string, string> = {}): string {
    try {
      return execFileSync(command, args, { cwd: this.dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`${command} ${args.join(' ')} failed: ${stderr}`);
    }
  }
}
