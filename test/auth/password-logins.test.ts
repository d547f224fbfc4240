import pino from 'pino';
import request from 'supertest';
import { Authenticator } from '../../src/auth/authenticator';
import type { AuthConfig } from '../../src/config';
import { bootstrapAdmin } from '../../src/core/accounts';
import { hashPassword } from '../../src/core/accounts/password-hash';
import type { AuditEvent } from '../../src/core/context';
import type { TestCatalog } from '../support/test-catalog';
import { expectContract, startTestCatalog } from '../support/test-catalog';

const ADMIN_PASSWORD = 'correct horse battery';
const SETUP_TIMEOUT_MS = 180_000;

const CONFIG: AuthConfig = {
  allowAnonymous: false,
  adminPassword: ADMIN_PASSWORD,
  x509: { certDir: undefined, vomsDir: undefined, refreshSeconds: 0, vomsTargets: [] },
  // The tests speak from loopback as a trusted front end, and name the client in X-Forwarded-For.
  trustedProxies: ['127.0.0.1', '::1'],
  clientCertHeader: 'ssl-client-escaped-cert',
  tokenCacheMs: 2000,
  passwordCacheSeconds: 30,
  loginThrottle: { userAddressFailures: 3, addressFailures: 8, userFailures: 6, maxBackoffSeconds: 120 },
  passwordChecks: { concurrency: 2, queue: 4 },
};

const USERS = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9'] as const;
const passwordOf = (user: string) => `${user}-secret-password`;

describe('password logins', () => {
  let catalog: TestCatalog;
  let clock = Date.now();
  let auth: Authenticator;
  const audits: AuditEvent[] = [];

  let setup: Promise<void> | undefined;
  beforeAll(() => {
    setup = (async () => {
      catalog = await startTestCatalog({}, { identify: (req) => auth.identify(req), accountsChanged: () => auth.accountsChanged(), audit: (event) => audits.push(event) });
      auth = new Authenticator({
        db: catalog.database.db,
        config: CONFIG,
        anonymous: { dn: '/O=replicat/CN=anonymous', group: '' },
        tls: false,
        logger: pino({ level: 'silent' }),
        now: () => new Date(clock),
      });
      await bootstrapAdmin(catalog.database.db, ADMIN_PASSWORD);
      const created = await request(catalog.app)
        .post('/api/v1/users')
        .auth('admin', ADMIN_PASSWORD)
        .set('x-forwarded-for', '10.0.0.1')
        .send({ items: USERS.map((name) => ({ name, password: passwordOf(name) })) });
      expect(created.body.results.every((r: { ok: boolean }) => r.ok)).toBe(true);
    })();
    return setup;
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await setup?.catch(() => undefined);
    auth?.close();
    await catalog?.close();
  }, SETUP_TIMEOUT_MS);

  const login = (user: string, password: string, from: string) => request(catalog.app).get('/api/v1/whoami').auth(user, password).set('x-forwarded-for', from);
  const asAdmin = (req: request.Test) => req.auth('admin', ADMIN_PASSWORD).set('x-forwarded-for', '10.0.0.1');

  describe('remembered passwords', () => {
    it('runs scrypt once for repeated requests with the same password', async () => {
      const before = auth.passwordChecks;
      for (let i = 0; i < 3; i++) expect((await login('u1', passwordOf('u1'), '10.1.0.1')).status).toBe(200);
      expect(auth.passwordChecks - before).toBe(1);
    });

    it('never remembers a failure', async () => {
      const before = auth.passwordChecks;
      expect((await login('u1', 'not-the-password', '10.1.0.2')).status).toBe(401);
      expect((await login('u1', 'not-the-password', '10.1.0.2')).status).toBe(401);
      expect(auth.passwordChecks - before).toBe(2);
    });

    it('forgets a password changed here at once', async () => {
      expect((await login('u2', passwordOf('u2'), '10.2.0.1')).status).toBe(200);
      const changed = await asAdmin(request(catalog.app).patch('/api/v1/users/u2')).send({ password: 'u2-second-password' });
      expect(changed.status).toBe(200);
      expect((await login('u2', passwordOf('u2'), '10.2.0.1')).status).toBe(401);
      expect((await login('u2', 'u2-second-password', '10.2.0.1')).status).toBe(200);
    });

    it('forgets a password changed by another instance once the token cache TTL has passed (the stored hash changed)', async () => {
      expect((await login('u2', 'u2-second-password', '10.2.0.2')).status).toBe(200);
      // As another instance would: the row changes, and this instance is told nothing.
      await catalog.database.db.updateTable('users').set({ password_hash: await hashPassword('u2-third-password') }).where('name', '=', 'u2').execute();
      // Within the token cache's TTL the login seen last still stands, as a bearer token would.
      expect((await login('u2', 'u2-second-password', '10.2.0.2')).status).toBe(200);
      clock += CONFIG.tokenCacheMs! + 1;
      const before = auth.passwordChecks;
      expect((await login('u2', 'u2-second-password', '10.2.0.2')).status).toBe(401);
      expect(auth.passwordChecks - before).toBe(1);
      expect((await login('u2', 'u2-third-password', '10.2.0.2')).status).toBe(200);
    });

    it('forgets it when the account is disabled or deleted, here or elsewhere', async () => {
      expect((await login('u3', passwordOf('u3'), '10.3.0.1')).status).toBe(200);
      expect((await asAdmin(request(catalog.app).patch('/api/v1/users/u3')).send({ disabled: true })).status).toBe(200);
      expect((await login('u3', passwordOf('u3'), '10.3.0.1')).status).toBe(401);

      expect((await login('u4', passwordOf('u4'), '10.3.0.1')).status).toBe(200);
      expect((await asAdmin(request(catalog.app).delete('/api/v1/users/u4'))).status).toBe(204);
      expect((await login('u4', passwordOf('u4'), '10.3.0.1')).status).toBe(401);

      expect((await login('u5', passwordOf('u5'), '10.3.0.1')).status).toBe(200);
      await catalog.database.db.updateTable('users').set({ disabled: true }).where('name', '=', 'u5').execute();
      clock += CONFIG.tokenCacheMs! + 1;
      expect((await login('u5', passwordOf('u5'), '10.3.0.1')).status).toBe(401);
      await catalog.database.db.deleteFrom('users').where('name', '=', 'u5').execute();
      expect((await login('u5', passwordOf('u5'), '10.3.0.1')).status).toBe(401);
    });
  });

  describe('failed logins', () => {
    it('make one user name from one address wait (429, Retry-After, audited), not the user elsewhere', async () => {
      for (let i = 0; i < 3; i++) expect((await login('u6', `guess-${i}-password`, '10.6.0.1')).status).toBe(401);
      const before = auth.passwordChecks;
      const throttled = await login('u6', passwordOf('u6'), '10.6.0.1');
      expect(throttled.status).toBe(429);
      expect(throttled.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(throttled.headers['retry-after']).toBe('1');
      expectContract('Problem', throttled.body);
      expect(throttled.body).toMatchObject({ status: 429, code: 'TooManyRequests' });
      expect(throttled.body.detail).toMatch(/too many failed logins.*retry after 1 s/);
      expect(auth.passwordChecks).toBe(before);
      expect(audits.some((a) => a.action === 'refused:throttled' && /too many failed logins/.test(a.detail ?? ''))).toBe(true);
      // The real user, from their own address, is not held up by the guesser.
      expect((await login('u6', passwordOf('u6'), '10.6.0.2')).status).toBe(200);
      // Each further failure doubles the wait.
      clock += 1000;
      expect((await login('u6', 'guess-again-password', '10.6.0.1')).status).toBe(401);
      expect((await login('u6', passwordOf('u6'), '10.6.0.1')).headers['retry-after']).toBe('2');
      clock += 2000;
      expect((await login('u6', passwordOf('u6'), '10.6.0.1')).status).toBe(200);
    });

    it('make an address that tries many user names wait, whatever name it tries next', async () => {
      for (let i = 0; i < 8; i++) expect((await login(`nobody${i}`, 'some-password', '10.7.0.1')).status).toBe(401);
      expect((await login('u7', passwordOf('u7'), '10.7.0.1')).status).toBe(429);
      expect((await login('u7', passwordOf('u7'), '10.7.0.2')).status).toBe(200);
    });

    it('against one user from many addresses, slow only addresses the user never logged in from', async () => {
      expect((await login('u8', passwordOf('u8'), '10.8.0.100')).status).toBe(200);
      for (let i = 1; i <= 6; i++) expect((await login('u8', `guess-${i}-password`, `10.8.1.${i}`)).status).toBe(401);
      // The account now makes new addresses wait 1 s, doubling with each failure after the wait.
      expect((await login('u8', 'guess-7-password', '10.8.1.7')).status).toBe(429);
      for (let i = 7; i <= 11; i++) {
        clock += 1000 * 2 ** (i - 7);
        expect((await login('u8', `guess-${i}-password`, `10.8.1.${i + 1}`)).status).toBe(401);
      }
      // Waiting 32 s now; the user's own address gets in, and a password verified moments ago does from anywhere.
      expect((await login('u8', passwordOf('u8'), '10.8.0.100')).status).toBe(200);
      expect((await login('u8', passwordOf('u8'), '10.8.2.1')).status).toBe(200);
      clock += 31_000;
      const unknown = await login('u8', passwordOf('u8'), '10.8.2.2');
      expect(unknown.status).toBe(429);
      expect(unknown.body.detail).toMatch(/too many failed logins for u8/);
      expect((await login('u8', passwordOf('u8'), '10.8.0.100')).status).toBe(200);
      // A refused guess counts against its address: it cannot go on asking.
      for (let i = 0; i < 3; i++) expect((await login('u8', `guess-more-${i}-password`, '10.8.3.1')).status).toBe(429);
      expect((await login('u8', 'guess-last-password', '10.8.3.1')).body.detail).toMatch(/from this address/);
    });

    it('with SOAP too: a typed fault with status 429 and Retry-After', async () => {
      const getVersion = '<ns:getVersion xmlns:ns="http://glite.org/wsdl/services/org.glite.data.catalog.service.fireman"/>';
      const envelope = `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${getVersion}</soapenv:Body></soapenv:Envelope>`;
      const call = (password: string) =>
        request(catalog.app).post('/soap/FiremanCatalog').auth('u9', password).set('x-forwarded-for', '10.9.0.1').set('content-type', 'text/xml').send(envelope);
      expect((await call(passwordOf('u9'))).status).toBe(200);
      for (let i = 0; i < 3; i++) expect((await call(`guess-${i}-password`)).status).toBe(401);
      const throttled = await call('guess-3-password');
      expect(throttled.status).toBe(429);
      expect(throttled.headers['retry-after']).toBe('1');
      expect(throttled.text).toContain('xsi:type="tns1:AuthorizationException"');
      expect(throttled.text).toMatch(/too many failed logins/);
    });
  });

  it('refuses password checks beyond its queue at once, instead of queueing a flood', async () => {
    const before = auth.passwordChecks;
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => login(`flood${i}`, 'made-up-password', `10.20.0.${i}`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    const busy = answers.filter((a) => a.status === 429);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]!.body.detail).toMatch(/password checks are busy/);
    // Refused checks never reached scrypt.
    expect(auth.passwordChecks - before).toBe(statuses.filter((s) => s === 401).length);
  });
});
