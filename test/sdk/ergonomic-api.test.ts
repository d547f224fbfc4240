import pino from 'pino';
import { Authenticator } from '../../src/auth/authenticator';
import type { AuthConfig } from '../../src/config';
import { bootstrapAdmin } from '../../src/core/accounts';
import { listOperations, openApiDocument } from '../../src/rest/openapi-document';
import { NotExists, type ReplicatClient } from '../../sdk/src';
import { codesOf, startSdkService, type SdkTestService } from './sdk-harness';

const ADMIN_PASSWORD = 'correct horse battery';
const CONFIG: AuthConfig = {
  allowAnonymous: false,
  adminPassword: ADMIN_PASSWORD,
  x509: { certDir: undefined, vomsDir: undefined, refreshSeconds: 0, vomsTargets: [] },
  trustedProxies: [],
  clientCertHeader: 'ssl-client-escaped-cert',
};

let svc: SdkTestService;
let auth: Authenticator | undefined;
let admin: ReplicatClient;

beforeAll(async () => {
  svc = await startSdkService({}, { identify: (req) => auth!.identify(req) });
  auth = new Authenticator({
    db: svc.catalog.database.db,
    config: CONFIG,
    anonymous: { dn: '/O=replicat/CN=anonymous', group: '' },
    tls: false,
    logger: pino({ level: 'silent' }),
  });
  await bootstrapAdmin(svc.catalog.database.db, ADMIN_PASSWORD);
  admin = svc.client({ credentials: { type: 'basic', username: 'admin', password: ADMIN_PASSWORD } });
});
afterAll(async () => {
  auth?.close();
  await svc.close();
});

/** The successful results' values, failing the test on the first failed item. */
function oks<R extends { ok: boolean }>(results: readonly R[]): Extract<R, { ok: true }>[] {
  return results.map((r, i) => {
    if (!r.ok) throw new Error(`item ${i} failed: ${JSON.stringify(r)}`);
    return r as Extract<R, { ok: true }>;
  });
}

const SURL1 = 'srm://se1.example.org/vo/run1/a.root';
const SURL2 = 'srm://se2.example.org/vo/run1/a.root';
const GUID = '6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c';

describe('the ergonomic client against a running service', () => {
  it('service: health, readiness, limits, the contract', async () => {
    expect(await admin.service.health()).toEqual({ status: 'up' });
    expect(await admin.service.ready()).toMatchObject({ status: 'ready' });
    expect(await admin.service.limits()).toEqual({ maxItems: 10_000, maxBodyBytes: 8 * 1024 * 1024, defaultPageSize: 1000, maxPageSize: 10_000 });
    expect(await admin.limits()).toEqual({ maxItems: 10_000, maxBodyBytes: 8 * 1024 * 1024 });
    expect(await admin.service.openapi()).toMatchObject({ openapi: '3.1.0' });
  });

  it('accounts: groups, users, memberships, tokens, whoami', async () => {
    expect(await admin.whoami()).toMatchObject({ method: 'basic', admin: true, account: 'admin' });
    expect(codesOf(await admin.groups.create(['physics', { name: 'atlas' }]))).toEqual(['ok', 'ok']);
    const [alice] = oks(await admin.users.create([{ name: 'alice', password: 'a long password', groups: ['physics'] }]));
    expect(alice!.user).toMatchObject({ name: 'alice', groups: ['physics'], admin: false });
    expect((await admin.users.list()).map((u) => u.name)).toEqual(['admin', 'alice']);
    expect(await admin.users.get('alice')).toMatchObject({ name: 'alice', disabled: false });
    expect(await admin.users.update('alice', { groups: ['physics', 'atlas'] })).toMatchObject({ groups: ['atlas', 'physics'] });
    expect(oks(await admin.groups.addMembers('atlas', ['admin']))).toEqual([{ ok: true, user: 'admin', member: true }]);
    expect(oks(await admin.groups.removeMembers('atlas', ['admin']))).toEqual([{ ok: true, user: 'admin', member: false }]);
    expect(oks(await admin.groups.changeMembers('atlas', [{ user: 'admin' }]))[0]).toMatchObject({ member: true });
    expect((await admin.groups.list()).find((g) => g.name === 'atlas')?.members).toEqual(['admin', 'alice']);

    const asAlice = svc.client({ credentials: { type: 'basic', username: 'alice', password: 'a long password' } });
    const token = await asAlice.tokens.issue({ ttlSeconds: 600 });
    expect(token).toMatchObject({ user: 'alice', token: expect.stringMatching(/^rpl_/) });
    const withToken = svc.client({ credentials: { type: 'bearer', token: token.token } });
    expect(await withToken.whoami()).toMatchObject({ dn: 'local:alice', method: 'bearer', groups: ['atlas', 'physics'] });
    const listed = await asAlice.tokens.list();
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(token.token);
    await asAlice.tokens.revoke(listed[0]!.id);
    expect(await asAlice.tokens.list()).toEqual([]);

    oks(await admin.users.create([{ name: 'bob', password: 'another long password' }]));
    await admin.users.delete('bob');
    await expect(admin.users.get('bob')).rejects.toBeInstanceOf(NotExists);
  });

  it('namespace: directories, files, symlinks, stat', async () => {
    const [dir] = oks(await admin.directories.create(['/grid/vo/run1'], { parents: true }));
    expect(dir!.entry).toMatchObject({ lfn: '/grid/vo/run1', kind: 'directory' });
    const files = oks(
      await admin.files.create([
        { lfn: '/grid/vo/run1/a.root', guid: `guid:${GUID}`, size: 1024, checksum: { type: 'adler32', value: '9600001' }, replicas: [{ surl: SURL1 }] },
        { lfn: '/grid/vo/run1/b.root' },
      ]),
    );
    expect(files[0]!.entry).toMatchObject({ guid: GUID, size: 1024, checksum: { type: 'adler32', value: '09600001' } });
    expect(files[1]!.entry.guid).toMatch(/^[0-9a-f-]{36}$/);
    oks(await admin.symlinks.create([{ lfn: '/grid/vo/latest', target: '/grid/vo/run1/a.root' }]));
    const stats = await admin.entries.stat(['/grid/vo/latest', { lfn: '/grid/vo/latest', follow: false }, '/grid/vo/none']);
    expect(stats).toEqual([
      { ok: true, entry: expect.objectContaining({ lfn: '/grid/vo/run1/a.root', kind: 'file' }) },
      { ok: true, entry: expect.objectContaining({ lfn: '/grid/vo/latest', kind: 'symlink', target: '/grid/vo/run1/a.root' }) },
      { ok: false, error: { code: 'NotExists', message: expect.any(String) } },
    ]);
  });

  it('replicas and GUIDs', async () => {
    const [added] = oks(await admin.replicas.add([{ lfn: '/grid/vo/run1/a.root', surl: SURL2 }]));
    expect(added!.replica).toMatchObject({ surl: SURL2, se: 'se2.example.org', master: false });
    const [byLfn, byGuid] = oks(await admin.replicas.list(['/grid/vo/run1/a.root', { guid: GUID }]));
    expect(byLfn!.replicas.map((r) => [r.surl, r.master])).toEqual([
      [SURL1, true],
      [SURL2, false],
    ]);
    expect(byGuid!.guid).toBe(GUID);
    oks(await admin.replicas.setMaster([{ guid: GUID, surl: SURL2 }]));
    const [afterSet] = oks(await admin.replicas.list(['/grid/vo/run1/a.root']));
    expect(afterSet!.replicas[0]).toMatchObject({ surl: SURL2, master: true });

    const onSe = await admin.replicas.onStorageElement('se1.example.org').toArray();
    expect(onSe).toEqual([expect.objectContaining({ surl: SURL1, lfn: '/grid/vo/run1/a.root', guid: GUID })]);
    expect(oks(await admin.guids.lookup(['/grid/vo/run1/a.root', { surl: SURL1 }]))).toEqual([
      { ok: true, guid: GUID, lfn: '/grid/vo/run1/a.root' },
      { ok: true, guid: GUID, lfn: '/grid/vo/run1/a.root' },
    ]);
    expect(codesOf(await admin.replicas.remove([{ lfn: '/grid/vo/run1/a.root', surl: SURL1 }, { guid: GUID, surl: 'srm://nowhere/x' }]))).toEqual([
      'ok',
      'NotExists',
    ]);
  });

  it('permissions and ownership', async () => {
    const [before] = oks(await admin.permissions.get(['/grid/vo/run1']));
    expect(before!.permission.base.owner).toContain('permission');
    const [changed] = oks(
      await admin.permissions.set([
        {
          lfn: '/grid/vo/run1',
          mode: 'add',
          permission: { base: { other: ['execute'] }, acl: [{ principal: 'physics', kind: 'group', allow: ['read', 'list', 'execute'], inherit: true }] },
        },
      ]),
    );
    expect(changed!.permission.acl).toEqual([expect.objectContaining({ principal: 'physics', kind: 'group', inherit: true })]);
    expect(oks(await admin.permissions.check([{ lfn: '/grid/vo/run1', rights: ['read', 'write'] }]))[0]).toMatchObject({ granted: ['read', 'write'], denied: [] });
    const [owned] = oks(await admin.entries.chown([{ lfn: '/grid/vo/run1', group: 'physics' }]));
    expect(owned!.entry.group).toBe('physics');
  });

  it('metadata: schemas, attributes, queries', async () => {
    expect(await admin.schemas.create({ name: 'runs', attributes: [{ name: 'run', type: 'int' }] })).toEqual({ name: 'runs', attributes: [{ name: 'run', type: 'int' }] });
    expect(await admin.schemas.addAttributes('runs', [{ name: 'detector', type: 'string' }, { name: 'scratch', type: 'bool' }])).toMatchObject({
      attributes: [{ name: 'detector' }, { name: 'run' }, { name: 'scratch' }],
    });
    expect((await admin.schemas.removeAttributes('runs', ['scratch'])).attributes.map((a) => a.name)).toEqual(['detector', 'run']);
    expect((await admin.schemas.list()).map((s) => s.name)).toEqual(['runs']);
    expect(await admin.schemas.describe('runs')).toMatchObject({ name: 'runs' });

    expect(
      codesOf(
        await admin.attributes.set([
          { lfn: '/grid/vo/run1/a.root', attributes: { run: 1042, detector: 'tpc' } },
          { lfn: '/grid/vo/run1/b.root', attributes: { run: 7 } },
        ]),
      ),
    ).toEqual(['ok', 'ok']);
    expect(oks(await admin.attributes.get(['/grid/vo/run1/a.root', { lfn: '/grid/vo/run1/b.root', names: ['detector'] }]))).toEqual([
      { ok: true, attributes: { run: 1042, detector: 'tpc' } },
      { ok: true, attributes: {} },
    ]);
    expect(oks(await admin.attributes.list(['/grid/vo/run1/a.root']))[0]!.attributes.map((a) => a.name).sort()).toEqual(['detector', 'run']);

    const query = admin.query('run > 1000 OR run < 10', { under: '/grid/vo' });
    expect(await query.count()).toBe(2);
    expect((await query.toArray()).map((e) => e.lfn)).toEqual(['/grid/vo/run1/a.root', '/grid/vo/run1/b.root']);
    const pages = [];
    for await (const page of admin.query('EXISTS run', { pageSize: 1 }).pages()) pages.push(page.items.map((e) => e.lfn));
    expect(pages).toEqual([['/grid/vo/run1/a.root'], ['/grid/vo/run1/b.root']]);
    expect(await admin.query("detector = 'tpc'", { mode: 'pages', kind: 'file' }).toArray()).toHaveLength(1);

    expect(codesOf(await admin.attributes.clear([{ lfn: '/grid/vo/run1/a.root', names: ['detector'] }]))).toEqual(['ok']);
    expect(codesOf(await admin.schemas.bind([{ lfn: '/grid/vo/run1', schema: 'runs' }, { lfn: '/grid/vo/run1', schema: 'none' }]))).toEqual(['ok', 'NotExists']);
    expect(oks(await admin.schemas.bindings(['/grid/vo/run1/a.root', '/grid/vo/run1']))).toEqual([
      { ok: true, schemas: [], inherited: ['runs'] },
      { ok: true, schemas: ['runs'], inherited: [] },
    ]);
    expect(codesOf(await admin.schemas.unbind([{ lfn: '/grid/vo/run1', schema: 'runs' }]))).toEqual(['ok']);
    expect(codesOf(await admin.attributes.drop(['/grid/vo/run1/a.root', '/grid/vo/run1']))).toEqual(['ok', 'NotExists']);
    expect(oks(await admin.attributes.get(['/grid/vo/run1/a.root']))).toEqual([{ ok: true, attributes: {} }]);
    await admin.schemas.drop('runs', { force: true });
    await expect(admin.schemas.describe('runs')).rejects.toBeInstanceOf(NotExists);
  });

  it('listing, moving and removing', async () => {
    const streamed = await admin.dir.list('/grid/vo/run1').toArray();
    expect(streamed.map((e) => e.lfn)).toEqual(['/grid/vo/run1/a.root', '/grid/vo/run1/b.root']);
    expect(await admin.directories.list('/grid/vo/run1', { mode: 'pages', pageSize: 1 }).toArray()).toEqual(streamed);
    const [moved] = oks(await admin.entries.move([{ from: '/grid/vo/run1', to: '/grid/vo/run-001' }]));
    expect(moved!.entry.lfn).toBe('/grid/vo/run-001');
    expect(codesOf(await admin.entries.remove(['/grid/vo/latest', '/grid/vo/run-001']))).toEqual(['ok', 'NotEmpty']);
    expect(codesOf(await admin.entries.remove(['/grid/vo/run-001'], { recursive: true }))).toEqual(['ok']);
    expect(await admin.dir.list('/grid/vo').toArray()).toEqual([]);
  });

  it('storage elements and the storage index', async () => {
    oks(await admin.files.create([{ lfn: '/grid/vo/se-file', size: 10, replicas: [{ surl: 'srm://se9.example.org/vo/se-file' }] }]));
    const [registered] = oks(
      await admin.storageElements.register([
        {
          name: 'se9',
          host: 'se9.example.org',
          surlPrefixes: ['srm://se9.example.org/vo/'],
          status: 'online',
          protocols: [{ scheme: 'https', turlTemplate: 'https://se9.example.org:8443/data{path}' }],
        },
      ]),
    );
    expect(registered).toMatchObject({ ok: true });
    expect((await admin.storageElements.list()).map((se) => se.name)).toContain('se9');
    expect(await admin.storageElements.get('se9')).toMatchObject({ host: 'se9.example.org', status: 'online' });
    expect(await admin.storageElements.update('se9', { status: 'readonly' })).toMatchObject({ status: 'readonly' });
    const [ses] = oks(await admin.storageIndex.ses(['lfn:/grid/vo/se-file']));
    expect(JSON.stringify(ses)).toContain('se9');
    const ranking = await admin.storageIndex.rank(['/grid/vo/se-file', '/grid/vo/nope'], ['https']);
    expect(ranking).toMatchObject({ files: 1, missing: ['/grid/vo/nope'] });
    expect(ranking.ses.map((se) => se.se)).toEqual(['se9']);
    await admin.storageElements.remove('se9');
    await expect(admin.storageElements.get('se9')).rejects.toBeInstanceOf(NotExists);
  });

  it('service: metrics and the API page', async () => {
    expect(await admin.service.metrics()).toMatch(/^# HELP /m);
    expect(await admin.service.docs()).toMatch(/<html/i);
  });

  it('has called every operation of openapi.yaml', () => {
    const called = svc.requests.map((r) => r.replace(/\?.*$/, ''));
    const missing = listOperations(openApiDocument())
      .filter(({ path, method }) => {
        const pattern = new RegExp(`^${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
        return !called.some((c) => pattern.test(c));
      })
      .map(({ operation }) => operation.operationId);
    expect(missing).toEqual([]);
  });
});
