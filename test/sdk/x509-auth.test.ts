import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Authenticator } from '../../src/auth/authenticator';
import { tlsServerOptions } from '../../src/auth/tls-server-options';
import { recordSentChains } from '../../src/auth/tls-sent-chain';
import type { DatabaseHandle } from '../../src/db/database-handle';
import { createRestApp } from '../../src/rest/app';
import {
  credentialsFromEnvironment,
  NetworkError,
  ReplicatClient,
  SoapClient,
  Unauthenticated,
  x509CertificateFiles,
  type ReplicatClientOptions,
} from '../../sdk/src';
import { DN, GridPki, missingGridTools } from '../support/grid-pki';
import { openTestDatabase, TEST_LIMITS } from '../support/test-catalog';

const missing = missingGridTools();
if (missing.length > 0) console.warn(`SDK X.509 tests skipped: ${missing.join(', ')} not installed`);
const describeWithTools = missing.length === 0 ? describe : describe.skip;

describeWithTools('the SDK with X.509 credentials on the HTTPS port', () => {
  let pki: GridPki;
  let database: DatabaseHandle;
  let drop: () => Promise<void>;
  let server: Server;
  let authenticator: Authenticator;
  let baseUrl: string;
  const clients: ReplicatClient[] = [];

  beforeAll(async () => {
    pki = new GridPki();
    ({ database, drop } = await openTestDatabase());
    authenticator = new Authenticator({
      db: database.db,
      config: {
        allowAnonymous: false,
        adminPassword: undefined,
        x509: { certDir: pki.certDir, vomsDir: pki.vomsDir, refreshSeconds: 0, vomsTargets: [] },
        trustedProxies: [],
        clientCertHeader: 'ssl-client-escaped-cert',
      },
      anonymous: { dn: '/O=replicat/CN=local', group: '' },
      tls: true,
      logger: pino({ level: 'silent' }),
    });
    const app = createRestApp({ database, limits: TEST_LIMITS, identify: (req) => authenticator.identify(req), logger: pino({ level: 'silent' }) });
    const { chain, key } = pki.user('server');
    server = createServer(tlsServerOptions(chain, key), app);
    recordSentChains(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server?.closeAllConnections();
    authenticator?.close();
    await database?.close();
    await drop?.();
    pki?.remove();
  });

  function client(options: Partial<ReplicatClientOptions>): ReplicatClient {
    const made = new ReplicatClient({ baseUrl, ...options });
    clients.push(made);
    return made;
  }

  it('authenticates with the proxy in X509_USER_PROXY, trusting the CAs of X509_CERT_DIR', async () => {
    pki.gridProxy('alice-rfc.pem', 'alice', '-rfc');
    const settings = credentialsFromEnvironment({ X509_USER_PROXY: pki.path('alice-rfc.pem'), X509_CERT_DIR: pki.certDir });
    expect(settings.credentials).toMatchObject({ type: 'x509', source: pki.path('alice-rfc.pem') });
    const alice = client(settings);
    expect(await alice.whoami()).toMatchObject({ dn: DN.alice, method: 'x509', limited: false });
    // A bulk call over the same TLS connection pool.
    expect(await alice.entries.stat(['/', '/nope'])).toHaveLength(2);
  });

  it('speaks SOAP with the same credentials, and is Unauthenticated without them', async () => {
    const settings = credentialsFromEnvironment({ X509_USER_PROXY: pki.path('alice-rfc.pem'), X509_CERT_DIR: pki.certDir });
    const soap = new SoapClient({ baseUrl, ...settings });
    const anonymous = new SoapClient({ baseUrl, ca: settings.ca ?? [] });
    try {
      expect(await soap.fireman.getInterfaceVersion()).toBe('2.0.0');
      await expect(soap.fireman.getFileCatalogEntry({ lfns: ['/nope'] })).rejects.toMatchObject({ code: 'NotExists' });
      await expect(anonymous.fireman.getInterfaceVersion()).rejects.toBeInstanceOf(Unauthenticated);
    } finally {
      await soap.close();
      await anonymous.close();
    }
  });

  it('authenticates with a legacy Globus proxy (the chain as sent is read by the service)', async () => {
    pki.gridProxy('alice-legacy.pem', 'alice', '-old');
    const alice = client(credentialsFromEnvironment({ X509_USER_PROXY: pki.path('alice-legacy.pem'), X509_CERT_DIR: pki.certDir }));
    expect(await alice.whoami()).toMatchObject({ dn: DN.alice, method: 'x509' });
  });

  it('brings the VOMS attributes of a VOMS proxy', async () => {
    pki.vomsProxy('alice-voms.pem', 'alice', 'voms', ['/testvo/Role=NULL/Capability=NULL', '/testvo/analysis/Role=production']);
    const alice = client(credentialsFromEnvironment({ X509_USER_PROXY: pki.path('alice-voms.pem'), X509_CERT_DIR: pki.certDir }));
    expect(await alice.whoami()).toMatchObject({ dn: DN.alice, fqans: ['/testvo', '/testvo/analysis/Role=production'] });
  });

  it('authenticates with X509_USER_CERT and X509_USER_KEY', async () => {
    const settings = credentialsFromEnvironment({ X509_USER_CERT: pki.path('bob.pem'), X509_USER_KEY: pki.path('bob.key'), X509_CERT_DIR: pki.certDir });
    expect(await client(settings).whoami()).toMatchObject({ dn: DN.bob, method: 'x509' });
  });

  it('is Unauthenticated with a certificate from a CA the service does not trust', async () => {
    const eve = client({ credentials: x509CertificateFiles(pki.path('eve.pem'), pki.path('eve.key')), ca: pki.user('ca').chain });
    await expect(eve.whoami()).rejects.toBeInstanceOf(Unauthenticated);
  });

  it('refuses a service whose certificate it cannot verify, at once and without retrying', async () => {
    const started = Date.now();
    const untrusting = client({ credentials: x509CertificateFiles(pki.path('alice.pem'), pki.path('alice.key')), retry: { retries: 5, baseDelayMs: 2000, maxDelayMs: 2000 } });
    const error = await untrusting.whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/certificate/i);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('will not send a certificate over plain HTTP', () => {
    expect(() => new ReplicatClient({ baseUrl: 'http://127.0.0.1:1', credentials: x509CertificateFiles(pki.path('alice.pem'), pki.path('alice.key')) })).toThrow(
      /need an https:\/\/ endpoint/,
    );
  });

  it('refuses an encrypted key, pointing at proxies', () => {
    const encrypted = pki.path('encrypted.key');
    writeFileSync(encrypted, '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n');
    expect(() => x509CertificateFiles(pki.path('alice.pem'), encrypted)).toThrow(/encrypted.*grid-proxy-init/);
  });
});

describe('credentialsFromEnvironment', () => {
  it('takes a token, then a user and password, then nothing', () => {
    const none = { X509_CERT_DIR: '' };
    expect(credentialsFromEnvironment({ ...none, REPLICAT_TOKEN: 'rpl_x', REPLICAT_USER: 'u', REPLICAT_PASSWORD: 'p' }).credentials).toEqual({ type: 'bearer', token: 'rpl_x' });
    expect(credentialsFromEnvironment({ ...none, REPLICAT_USER: 'u', REPLICAT_PASSWORD: 'p' }).credentials).toEqual({ type: 'basic', username: 'u', password: 'p' });
  });

  it('wants X509_USER_CERT and X509_USER_KEY together', () => {
    expect(() => credentialsFromEnvironment({ X509_USER_CERT: '/some/cert.pem' })).toThrow(/go together/);
  });
});
