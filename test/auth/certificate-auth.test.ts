import { request as httpsRequest, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import supertest from 'supertest';
import { Authenticator } from '../../src/auth/authenticator';
import { tlsServerOptions } from '../../src/auth/tls-server-options';
import { recordSentChains } from '../../src/auth/tls-sent-chain';
import type { AuthConfig } from '../../src/config';
import { createUsers } from '../../src/core/accounts';
import type { DatabaseHandle } from '../../src/db/database-handle';
import { createRestApp } from '../../src/rest/app';
import { DN, GridPki, missingGridTools, type Credential } from '../support/grid-pki';
import { expectContract, openTestDatabase, TEST_LIMITS } from '../support/test-catalog';

const missing = missingGridTools();
if (missing.length > 0) {
  console.warn(`certificate tests skipped: ${missing.join(', ')} not installed (apt-get install -y globus-proxy-utils voms-clients)`);
}
const describeWithTools = missing.length === 0 ? describe : describe.skip;
const SETUP_TIMEOUT_MS = 240_000;

interface Answer {
  readonly status: number;
  readonly body: { detail?: string; [field: string]: unknown };
}

describeWithTools('X.509 authentication on the HTTPS port', () => {
  let pki: GridPki;
  let database: DatabaseHandle;
  let drop: () => Promise<void>;
  let server: Server;
  const authenticators: Authenticator[] = [];
  const warnings: string[] = [];

  function authConfig(overrides: Partial<AuthConfig> = {}): AuthConfig {
    return {
      allowAnonymous: false,
      adminPassword: undefined,
      x509: { certDir: pki.certDir, vomsDir: pki.vomsDir, refreshSeconds: 0, vomsTargets: [] },
      trustedProxies: [],
      clientCertHeader: 'ssl-client-escaped-cert',
      ...overrides,
    };
  }

  function makeApp(config: AuthConfig) {
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => (warnings.push(chunk.toString()), done()) }));
    const authenticator = new Authenticator({ db: database.db, config, anonymous: { dn: '/O=replicat/CN=local', group: '' }, tls: true, logger });
    authenticators.push(authenticator);
    return createRestApp({ database, limits: TEST_LIMITS, identify: (req) => authenticator.identify(req), logger });
  }

  // Making the PKI and the database takes a while on a busy machine. A setup that outlives its hook's
  // timeout goes on running; the teardown waits for it, or the HTTPS server it starts late would be
  // left listening and keep the jest worker from exiting.
  let setup: Promise<void> | undefined;
  beforeAll(() => {
    setup = (async () => {
      pki = new GridPki();
      ({ database, drop } = await openTestDatabase());
      const { chain, key } = pki.user('server');
      server = createServer(tlsServerOptions(chain, key), makeApp(authConfig()));
      recordSentChains(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    })();
    return setup;
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await setup?.catch(() => undefined);
    if (server !== undefined) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    for (const a of authenticators) a.close();
    await database?.close();
    await drop?.();
    pki?.remove();
  }, SETUP_TIMEOUT_MS);

  /** GET /api/v1/whoami over HTTPS, presenting `credential` (a chain and its leaf's key), without session reuse. */
  function whoami(credential?: Credential): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: (server.address() as AddressInfo).port,
          path: '/api/v1/whoami',
          servername: 'localhost',
          ca: pki.user('ca').chain,
          agent: false,
          ...(credential ? { cert: credential.chain, key: credential.key } : {}),
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer['body'] }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  async function expectAccepted(credential: Credential, fields: Record<string, unknown>): Promise<Answer['body']> {
    const res = await whoami(credential);
    expect(res).toMatchObject({ status: 200, body: fields });
    expectContract('Whoami', res.body);
    return res.body;
  }

  async function expectRefused(credential: Credential, reason: RegExp): Promise<void> {
    const res = await whoami(credential);
    expect(res.status).toBe(401);
    expectContract('Problem', res.body);
    expect(res.body.detail).toMatch(reason);
  }

  /** The chain's first certificate with one byte of its signature flipped. */
  function tampered(credential: Credential): Credential {
    const [first, ...rest] = credential.chain.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!;
    const der = Buffer.from(first!.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64');
    der[der.length - 10]! ^= 0x01;
    const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----`;
    return { chain: [pem, ...rest].join('\n'), key: credential.key };
  }

  describe('accepts', () => {
    it('an end-entity certificate, as its DN in slash form', async () => {
      await expectAccepted(pki.user('alice'), { dn: DN.alice, method: 'x509', admin: false, groups: [], fqans: [], limited: false });
    });

    it('an RFC 3820 proxy, as the DN of the user who made it', async () => {
      await expectAccepted(pki.gridProxy('alice-rfc.pem', 'alice', '-rfc'), { dn: DN.alice, method: 'x509' });
    });

    it('a legacy Globus proxy and a legacy limited proxy, on the direct HTTPS port', async () => {
      // Node alone would not hand over the user certificate here (OpenSSL does not link a legacy
      // proxy to an issuer without keyCertSign); the chain the client sent is read from the handshake.
      await expectAccepted(pki.gridProxy('alice-legacy.pem', 'alice', '-old'), { dn: DN.alice, method: 'x509', limited: false });
      await expectAccepted(pki.gridProxy('alice-legacy-limited.pem', 'alice', '-old', '-limited'), { dn: DN.alice, method: 'x509', limited: true });
    });

    it('a legacy Globus proxy behind a trusted front end (certificate header)', async () => {
      const proxy = pki.gridProxy('alice-legacy-header.pem', 'alice', '-old');
      const app = makeApp(authConfig({ trustedProxies: ['127.0.0.1'] }));
      const res = await supertest(app).get('/api/v1/whoami').set('ssl-client-escaped-cert', encodeURIComponent(proxy.chain));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ dn: DN.alice, method: 'x509', limited: false });
    });

    it('a legacy proxy of a legacy proxy', async () => {
      pki.gridProxy('alice-legacy-first.pem', 'alice', '-old');
      await expectAccepted(pki.gridProxy('alice-legacy-second.pem', 'alice-legacy-first.pem', '-old'), { dn: DN.alice, method: 'x509', limited: false });
    });

    it('a proxy of a proxy', async () => {
      pki.gridProxy('alice-first.pem', 'alice', '-rfc');
      await expectAccepted(pki.gridProxy('alice-second.pem', 'alice-first.pem', '-rfc'), { dn: DN.alice });
    });

    it('a limited proxy, as the same DN marked limited', async () => {
      await expectAccepted(pki.gridProxy('alice-limited.pem', 'alice', '-rfc', '-limited'), { dn: DN.alice, limited: true });
    });

    it('a VOMS proxy, with its FQANs as groups visible in whoami', async () => {
      const proxy = pki.vomsProxy('alice-voms.pem', 'alice', 'voms', ['/testvo/Role=NULL/Capability=NULL', '/testvo/analysis/Role=production']);
      await expectAccepted(proxy, {
        dn: DN.alice,
        group: '/testvo',
        groups: ['/testvo', '/testvo/analysis/Role=production'],
        fqans: ['/testvo', '/testvo/analysis/Role=production'],
      });
    });

    it('a certificate whose DN is mapped to an admin account, with that account’s role and groups', async () => {
      const admin = { db: database.db, identity: { dn: 'test', group: '', groups: [], admin: true }, limits: TEST_LIMITS };
      await createUsers(admin, [{ name: 'bob', dn: DN.bob, admin: true }]);
      await expectAccepted(pki.user('bob'), { dn: DN.bob, admin: true, account: 'bob' });
    });
  });

  describe('refuses', () => {
    it('a request without any credentials, naming the accepted methods', async () => {
      const res = await whoami();
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'PermissionDenied', methods: ['x509', 'basic', 'bearer'] });
    });

    it('an expired proxy', async () => {
      await expectRefused(pki.fakeProxy('alice-expired.pem', 'alice', '-hours', '1', '-pastproxy', '2:00'), /expired/);
    });

    it('a proxy signed by a different user’s certificate', async () => {
      // Bob signs a proxy that claims Alice's name and presents it with Alice's certificate.
      const forged = pki.fakeProxy('bob-as-alice.pem', 'bob', '-newsubject', `${DN.alice}/CN=4242`, '-newissuer', DN.alice);
      const [proxy] = forged.chain.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!;
      const chain = `${proxy}\n${pki.user('alice').chain}`;
      await expectRefused({ chain, key: forged.key }, /bad signature/);
      const app = makeApp(authConfig({ trustedProxies: ['127.0.0.1'] }));
      const res = await supertest(app).get('/api/v1/whoami').set('ssl-client-escaped-cert', encodeURIComponent(chain));
      expect(res.status).toBe(401);
      expect((res.body as { detail: string }).detail).toMatch(/bad signature/);
    });

    it('a legacy proxy signed by a different user’s key, presented with the claimed user’s certificate', async () => {
      // The whole sent chain now reaches the validator, which must find that Alice's key did not sign it.
      const forged = pki.fakeProxy('bob-as-alice-legacy.pem', 'bob', '-proxyver', '2', '-newsubject', `${DN.alice}/CN=proxy`, '-newissuer', DN.alice);
      const [proxy] = forged.chain.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!;
      await expectRefused({ chain: `${proxy}\n${pki.user('alice').chain}`, key: forged.key }, /bad signature/);
    });

    it('a proxy whose subject does not extend its issuer’s', async () => {
      await expectRefused(pki.fakeProxy('alice-renamed.pem', 'alice', '-newsubject', '/DC=org/DC=test/OU=Users/CN=Mallory/CN=1'), /issuer's subject plus one CN/);
    });

    it('a certificate from a CA that is not trusted', async () => {
      await expectRefused(pki.user('eve'), /not a trusted CA/);
    });

    it('a self-signed certificate, even with a trusted user’s name', async () => {
      await expectRefused(pki.user('mallory'), /not a trusted CA/);
    });

    it('a revoked certificate (CRL in the CA directory)', async () => {
      await expectRefused(pki.user('carol'), /revoked/);
    });

    it('a proxy of a revoked certificate', async () => {
      await expectRefused(pki.gridProxy('carol-rfc.pem', 'carol', '-rfc'), /revoked/);
    });

    it('a proxy with a tampered signature', async () => {
      // KNOWN ISSUE: OpenSSL's own (ignored) verification of the bad signature during the handshake
      // leaves an error queued, which the TLS layer running over a JavaScript stream (recordSentChains)
      // sometimes reports on that connection, which is then dropped instead of answered with a 401.
      // Either way the proxy is refused.
      const answer = await whoami(tampered(pki.gridProxy('alice-tamper.pem', 'alice', '-rfc'))).catch((error: Error) => ({ dropped: String(error.message) }));
      if ('dropped' in answer) {
        expect(answer.dropped).toMatch(/socket hang up|ECONNRESET/);
      } else {
        expect(answer.status).toBe(401);
        expect(answer.body.detail).toMatch(/bad signature/);
      }
    });

    it('a tampered proxy never disturbs the connections of other clients', async () => {
      const good = pki.gridProxy('alice-good-mix.pem', 'alice', '-rfc');
      const bad = tampered(pki.gridProxy('alice-bad-mix.pem', 'alice', '-rfc'));
      const legacy = pki.gridProxy('alice-legacy-mix.pem', 'alice', '-old');
      for (let round = 0; round < 3; round++) {
        const calls = Array.from({ length: 40 }, (_, i) =>
          i % 4 === 0
            ? whoami(bad).then(
                (a) => ({ kind: 'bad' as const, status: a.status }),
                () => ({ kind: 'bad' as const, status: 0 }),
              )
            : whoami(i % 2 === 0 ? good : legacy).then(
                (a) => ({ kind: 'good' as const, status: a.status }),
                (error: Error) => ({ kind: 'good' as const, status: -1, error: error.message }),
              ),
        );
        const answers = await Promise.all(calls);
        expect(answers.filter((a) => a.kind === 'good' && a.status !== 200)).toEqual([]);
        expect(answers.filter((a) => a.kind === 'bad' && a.status === 200)).toEqual([]);
      }
    });

    it('an independent proxy', async () => {
      await expectRefused(pki.gridProxy('alice-independent.pem', 'alice', '-rfc', '-independent'), /independent/);
    });

    it('a VOMS proxy whose AC comes from a server the VOMS directory does not trust', async () => {
      await expectRefused(pki.vomsProxy('alice-rogue.pem', 'alice', 'rogue-voms', ['/testvo/Role=NULL/Capability=NULL']), /not signed by a trusted VOMS server/);
    });

    it('a VOMS proxy whose AC expired', async () => {
      await expectRefused(pki.vomsProxy('alice-old-ac.pem', 'alice', 'voms', ['/testvo/Role=NULL/Capability=NULL'], '-vomslife', '1', '-pastac', '2:00'), /expired/);
    });
  });

  describe('behind a TLS-terminating front end', () => {
    const header = () => encodeURIComponent(pki.user('alice').chain);

    it('ignores (and logs) the certificate header from a peer that is not a trusted proxy', async () => {
      const app = makeApp(authConfig());
      warnings.length = 0;
      const res = await supertest(app).get('/api/v1/whoami').set('ssl-client-escaped-cert', header());
      expect(res.status).toBe(401);
      expect(warnings.join('')).toMatch(/not a trusted proxy/);
    });

    it('believes the header from a trusted proxy, and validates the chain in it', async () => {
      const app = makeApp(authConfig({ trustedProxies: ['127.0.0.1'] }));
      const res = await supertest(app).get('/api/v1/whoami').set('ssl-client-escaped-cert', header());
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ dn: DN.alice, method: 'x509' });
      const revoked = await supertest(app).get('/api/v1/whoami').set('ssl-client-escaped-cert', encodeURIComponent(pki.user('carol').chain));
      expect(revoked.status).toBe(401);
    });
  });
});
