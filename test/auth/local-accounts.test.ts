import pino from 'pino';
import request from 'supertest';
import { Authenticator } from '../../src/auth/authenticator';
import type { AuthConfig } from '../../src/config';
import { bootstrapAdmin } from '../../src/core/accounts';
import type { TestCatalog } from '../support/test-catalog';
import { expectContract, startTestCatalog } from '../support/test-catalog';

const ADMIN_PASSWORD = 'correct horse battery';
const SETUP_TIMEOUT_MS = 180_000;

const CONFIG: AuthConfig = {
  allowAnonymous: false,
  adminPassword: ADMIN_PASSWORD,
  x509: { certDir: undefined, vomsDir: undefined, refreshSeconds: 0, vomsTargets: [] },
  trustedProxies: [],
  clientCertHeader: 'ssl-client-escaped-cert',
  // Longer than any test here: what is checked is that changes apply at once all the same.
  tokenCacheMs: 300_000,
};

describe('local accounts', () => {
  let catalog: TestCatalog;
  let clock = () => new Date();
  const authenticators: Authenticator[] = [];

  function authenticator(config: AuthConfig): Authenticator {
    const a = new Authenticator({
      db: catalog.database.db,
      config,
      anonymous: { dn: '/O=replicat/CN=anonymous', group: '' },
      tls: false,
      logger: pino({ level: 'silent' }),
      now: () => clock(),
    });
    authenticators.push(a);
    return a;
  }

  // A setup that outlives its hook's timeout on a busy machine goes on running: the teardown waits for
  // it, so that what it opens late is closed too and the jest worker can exit.
  let setup: Promise<void> | undefined;
  beforeAll(() => {
    setup = (async () => {
      let auth: Authenticator | undefined;
      catalog = await startTestCatalog({}, { identify: (req) => auth!.identify(req), accountsChanged: () => auth!.accountsChanged() });
      auth = authenticator(CONFIG);
      await bootstrapAdmin(catalog.database.db, ADMIN_PASSWORD);
    })();
    return setup;
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await setup?.catch(() => undefined);
    for (const a of authenticators) a.close();
    await catalog?.close();
  }, SETUP_TIMEOUT_MS);

  const api = () => request(catalog.app);
  const asAdmin = { user: 'admin', password: ADMIN_PASSWORD };

  it('answers 401 without credentials, naming the accepted methods (header and body)', async () => {
    const res = await api().get('/api/v1/whoami');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.headers['www-authenticate']).toBe('Basic realm="replicat", Bearer realm="replicat"');
    expectContract('Problem', res.body);
    expect(res.body).toMatchObject({ status: 401, code: 'PermissionDenied', methods: ['basic', 'bearer'] });
  });

  it('refuses before reading the body, so strangers cannot make it parse one', async () => {
    const res = await api().post('/api/v1/directories').set('content-type', 'application/json').send('{not json');
    expect(res.status).toBe(401);
  });

  it('keeps /healthz, /readyz and /openapi.json open', async () => {
    for (const path of ['/healthz', '/readyz', '/openapi.json']) expect((await api().get(path)).status).toBe(200);
  });

  it('creates admin on first start, and only then', async () => {
    expect(await bootstrapAdmin(catalog.database.db, undefined)).toEqual({ created: false });
    expect(await bootstrapAdmin(catalog.database.db, asAdmin.password)).toEqual({ created: false, applied: false });
    const res = await api().get('/api/v1/whoami').auth(asAdmin.user, asAdmin.password);
    expect(res.status).toBe(200);
    expectContract('Whoami', res.body);
    expect(res.body).toMatchObject({ dn: 'local:admin', method: 'basic', admin: true, account: 'admin' });
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    const wrong = await api().get('/api/v1/whoami').auth('admin', 'not the password');
    const unknown = await api().get('/api/v1/whoami').auth('nobody', 'whatever it is');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.detail).toEqual(unknown.body.detail);
  });

  it('refuses an unsupported or malformed Authorization header', async () => {
    expect((await api().get('/api/v1/whoami').set('authorization', 'Digest abc')).status).toBe(401);
    expect((await api().get('/api/v1/whoami').set('authorization', 'Basic !!!')).status).toBe(401);
  });

  describe('managed by an admin', () => {
    beforeAll(async () => {
      const groups = await api().post('/api/v1/groups').auth(asAdmin.user, asAdmin.password).send({ items: [{ name: 'physics' }, { name: 'physics' }] });
      expectContract('GroupResults', groups.body);
      expect(groups.body.results.map((r: { ok: boolean }) => r.ok)).toEqual([true, false]);
      const users = await api()
        .post('/api/v1/users')
        .auth(asAdmin.user, asAdmin.password)
        .send({ items: [{ name: 'alice', password: 'alice-password', groups: ['physics'] }, { name: 'bob', password: 'bob-password', dn: '/DC=org/DC=test/CN=Bob' }, { name: 'carol', password: 'carol-password', groups: ['no-such-group'] }, { name: 'alice' }] });
      expect(users.status).toBe(200);
      expectContract('UserResults', users.body);
      expect(users.body.results.map((r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code))).toEqual(['ok', 'ok', 'NotExists', 'Exists']);
      expect(JSON.stringify(users.body)).not.toMatch(/scrypt|password/);
    });

    it('lets users log in with Basic, with their groups, and a DN when they have one', async () => {
      const alice = await api().get('/api/v1/whoami').auth('alice', 'alice-password');
      expect(alice.body).toMatchObject({ dn: 'local:alice', group: 'physics', groups: ['physics'], admin: false, account: 'alice' });
      const bob = await api().get('/api/v1/whoami').auth('bob', 'bob-password');
      expect(bob.body).toMatchObject({ dn: '/DC=org/DC=test/CN=Bob', groups: [] });
    });

    it('keeps admin-only routes to admins (403 for others)', async () => {
      for (const [method, path, body] of [
        ['get', '/api/v1/users', undefined],
        ['post', '/api/v1/users', { items: [{ name: 'dave' }] }],
        ['get', '/api/v1/groups', undefined],
        ['post', '/api/v1/groups', { items: [{ name: 'mine' }] }],
        ['post', '/api/v1/groups/physics/members', { items: [{ user: 'alice', remove: true }] }],
        ['patch', '/api/v1/users/bob', { admin: true }],
        ['patch', '/api/v1/users/alice', { admin: true }],
        ['delete', '/api/v1/users/bob', undefined],
        ['get', '/api/v1/users/bob', undefined],
      ] as const) {
        const req = api()[method](path).auth('alice', 'alice-password');
        const res = await (body === undefined ? req : req.send(body));
        expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 403`);
      }
      const list = await api().get('/api/v1/users').auth(asAdmin.user, asAdmin.password);
      expectContract('UserList', list.body);
      expect(list.body.users.map((u: { name: string }) => u.name)).toEqual(['admin', 'alice', 'bob']);
    });

    it('lets users read themselves and change their own password', async () => {
      const me = await api().get('/api/v1/users/alice').auth('alice', 'alice-password');
      expect(me.status).toBe(200);
      expectContract('User', me.body);
      const changed = await api().patch('/api/v1/users/alice').auth('alice', 'alice-password').send({ password: 'alice-password-2' });
      expect(changed.status).toBe(200);
      expect((await api().get('/api/v1/whoami').auth('alice', 'alice-password')).status).toBe(401);
      expect((await api().get('/api/v1/whoami').auth('alice', 'alice-password-2')).status).toBe(200);
    });

    it('manages group members in bulk', async () => {
      const res = await api()
        .post('/api/v1/groups/physics/members')
        .auth(asAdmin.user, asAdmin.password)
        .send({ items: [{ user: 'bob' }, { user: 'nobody' }] });
      expectContract('MembershipResults', res.body);
      expect(res.body.results).toEqual([{ ok: true, user: 'bob', member: true }, { ok: false, error: { code: 'NotExists', message: 'no such user: nobody' } }]);
      const groups = await api().get('/api/v1/groups').auth(asAdmin.user, asAdmin.password);
      expect(groups.body).toEqual({ groups: [{ name: 'physics', members: ['alice', 'bob'] }] });
    });

    it('issues bearer tokens that work until they expire', async () => {
      const issued = await api().post('/api/v1/tokens').auth('bob', 'bob-password').send({ ttlSeconds: 60 });
      expect(issued.status).toBe(200);
      expectContract('Token', issued.body);
      const token = issued.body.token as string;
      const me = await api().get('/api/v1/whoami').set('authorization', `Bearer ${token}`);
      expect(me.body).toMatchObject({ method: 'bearer', account: 'bob', dn: '/DC=org/DC=test/CN=Bob' });
      clock = () => new Date(Date.now() + 61_000);
      try {
        const late = await api().get('/api/v1/whoami').set('authorization', `Bearer ${token}`);
        expect(late.status).toBe(401);
        expect(late.body.detail).toMatch(/invalid or expired bearer token/);
      } finally {
        clock = () => new Date();
      }
      expect((await api().get('/api/v1/whoami').set('authorization', 'Bearer rpl_madeup')).status).toBe(401);
    });

    it('applies membership changes to tokens at once, and changes made elsewhere after the token cache time', async () => {
      const token = (await api().post('/api/v1/tokens').auth('bob', 'bob-password').send({})).body.token as string;
      const whoami = async () => (await api().get('/api/v1/whoami').set('authorization', `Bearer ${token}`)).body as { groups: string[] };
      expect((await whoami()).groups).toContain('physics');
      await api().post('/api/v1/groups/physics/members').auth(asAdmin.user, asAdmin.password).send({ items: [{ user: 'bob', remove: true }] });
      expect((await whoami()).groups).not.toContain('physics');
      // Another instance (or SQL by hand) changes the membership: this one learns it once its entry is older than the cache time.
      await catalog.database.db.insertInto('group_members').values({ group_name: 'physics', user_name: 'bob' }).execute();
      expect((await whoami()).groups).not.toContain('physics');
      clock = () => new Date(Date.now() + CONFIG.tokenCacheMs! + 1000);
      try {
        expect((await whoami()).groups).toContain('physics');
      } finally {
        clock = () => new Date();
      }
    });

    it('refuses a bearer token asking for another token, so that a stolen one cannot outlive itself', async () => {
      const issued = await api().post('/api/v1/tokens').auth('bob', 'bob-password').send({ ttlSeconds: 3600 });
      const renewed = await api().post('/api/v1/tokens').set('authorization', `Bearer ${issued.body.token}`).send({ ttlSeconds: 2_592_000 });
      expect(renewed.status).toBe(403);
      expect(renewed.body).toMatchObject({ code: 'PermissionDenied' });
      expect(renewed.body.detail).toMatch(/a bearer token cannot issue tokens/);
    });

    it('lists a user’s tokens without their secrets, and revokes them one by one, at once', async () => {
      const issue = async (label: string) => (await api().post('/api/v1/tokens').auth('alice', 'alice-password-2').send({ label })).body as { token: string; id: string };
      const laptop = await issue('laptop');
      const batch = await issue('batch jobs');
      expect(laptop.id).toMatch(/^[0-9a-f]{32}$/);
      const listed = await api().get('/api/v1/tokens').set('authorization', `Bearer ${batch.token}`);
      expect(listed.status).toBe(200);
      expectContract('TokenList', listed.body);
      expect(listed.body.tokens).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: laptop.id, user: 'alice', label: 'laptop' }), expect.objectContaining({ id: batch.id, label: 'batch jobs' })]),
      );
      expect(listed.body.tokens.every((t: { user: string }) => t.user === 'alice')).toBe(true);
      expect(JSON.stringify(listed.body)).not.toContain(laptop.token);
      // Used (and so remembered by this instance) before it is revoked: refused all the same.
      expect((await api().get('/api/v1/whoami').set('authorization', `Bearer ${laptop.token}`)).status).toBe(200);
      expect((await api().delete(`/api/v1/tokens/${laptop.id}`).set('authorization', `Bearer ${batch.token}`)).status).toBe(204);
      expect((await api().get('/api/v1/whoami').set('authorization', `Bearer ${laptop.token}`)).status).toBe(401);
      expect((await api().get('/api/v1/whoami').set('authorization', `Bearer ${batch.token}`)).status).toBe(200);
      expect((await api().delete(`/api/v1/tokens/${laptop.id}`).auth('alice', 'alice-password-2')).status).toBe(404);
      // Another user's tokens are not alice's to see or end.
      const bobs = (await api().post('/api/v1/tokens').auth('bob', 'bob-password').send({})).body as { token: string; id: string };
      expect((await api().get('/api/v1/tokens?user=bob').auth('alice', 'alice-password-2')).status).toBe(403);
      expect((await api().delete(`/api/v1/tokens/${bobs.id}`).auth('alice', 'alice-password-2')).status).toBe(404);
      expect((await api().get('/api/v1/whoami').set('authorization', `Bearer ${bobs.token}`)).status).toBe(200);
    });

    it('lets an admin list and revoke anyone’s tokens', async () => {
      const bobs = (await api().post('/api/v1/tokens').auth('bob', 'bob-password').send({ label: 'for the admin' })).body as { token: string; id: string };
      expect((await api().get('/api/v1/whoami').set('authorization', `Bearer ${bobs.token}`)).status).toBe(200);
      const ofBob = await api().get('/api/v1/tokens?user=bob').auth(asAdmin.user, asAdmin.password);
      expect(ofBob.body.tokens.map((t: { id: string }) => t.id)).toContain(bobs.id);
      const all = await api().get('/api/v1/tokens?all=true').auth(asAdmin.user, asAdmin.password);
      expect(new Set(all.body.tokens.map((t: { user: string }) => t.user))).toEqual(new Set(['alice', 'bob']));
      expect((await api().delete(`/api/v1/tokens/${bobs.id}`).auth(asAdmin.user, asAdmin.password)).status).toBe(204);
      expect((await api().get('/api/v1/whoami').set('authorization', `Bearer ${bobs.token}`)).status).toBe(401);
      expect((await api().delete('/api/v1/tokens/not-an-id').auth(asAdmin.user, asAdmin.password)).status).toBe(400);
    });

    it('refuses a token lifetime beyond the maximum', async () => {
      const res = await api().post('/api/v1/tokens').auth('bob', 'bob-password').send({ ttlSeconds: 10 ** 9 });
      expect(res.status).toBe(400);
    });

    it('ends a disabled user’s logins and tokens', async () => {
      const token = (await api().post('/api/v1/tokens').auth('bob', 'bob-password').send({})).body.token as string;
      // Used once, so that the token's identity is remembered when the user is disabled.
      expect((await api().get('/api/v1/whoami').set('authorization', `Bearer ${token}`)).status).toBe(200);
      expect((await api().patch('/api/v1/users/bob').auth(asAdmin.user, asAdmin.password).send({ disabled: true })).status).toBe(200);
      expect((await api().get('/api/v1/whoami').auth('bob', 'bob-password')).status).toBe(401);
      expect((await api().get('/api/v1/whoami').set('authorization', `Bearer ${token}`)).status).toBe(401);
      await api().patch('/api/v1/users/bob').auth(asAdmin.user, asAdmin.password).send({ disabled: false });
      expect((await api().get('/api/v1/whoami').set('authorization', `Bearer ${token}`)).status).toBe(401);
    });

    it('never leaves the catalog without an enabled admin', async () => {
      const res = await api().patch('/api/v1/users/admin').auth(asAdmin.user, asAdmin.password).send({ admin: false });
      expect(res.status).toBe(409);
      expect((await api().delete('/api/v1/users/admin').auth(asAdmin.user, asAdmin.password)).status).toBe(409);
      expect((await api().delete('/api/v1/users/alice').auth(asAdmin.user, asAdmin.password)).status).toBe(204);
      expect((await api().get('/api/v1/users/alice').auth(asAdmin.user, asAdmin.password)).status).toBe(404);
    });

    it('records the authenticated owner on what users create, and checks their rights', async () => {
      // The top of the tree belongs to its owner: Bob may not create there until given a place of his own.
      const refused = await api().post('/api/v1/directories').auth('bob', 'bob-password').send({ items: [{ lfn: '/bob-dir' }] });
      expect(refused.body.results[0]).toMatchObject({ ok: false, error: { code: 'PermissionDenied' } });
      await api().post('/api/v1/directories').auth(asAdmin.user, asAdmin.password).send({ items: [{ lfn: '/home' }] });
      await api()
        .post('/api/v1/permissions/set')
        .auth(asAdmin.user, asAdmin.password)
        .send({ items: [{ lfn: '/home', permission: { base: { other: ['execute', 'list'] }, acl: [{ principal: '/DC=org/DC=test/CN=Bob', kind: 'user', allow: ['write'] }] } }] });
      const res = await api().post('/api/v1/directories').auth('bob', 'bob-password').send({ items: [{ lfn: '/home/bob' }] });
      expect(res.body.results[0]).toMatchObject({ ok: true, entry: { owner: '/DC=org/DC=test/CN=Bob' } });
    });
  });

  it('lets requests without credentials act as the local identity when anonymous access is allowed', async () => {
    const open = authenticator({ ...CONFIG, allowAnonymous: true });
    const anonymous = await startTestCatalog({}, { identify: (req) => open.identify(req) });
    try {
      const res = await request(anonymous.app).get('/api/v1/whoami');
      expect(res.body).toMatchObject({ dn: '/O=replicat/CN=anonymous', method: 'anonymous', admin: false });
    } finally {
      await anonymous.close();
    }
  });
});
