import request from 'supertest';
import { codes, expectContract, type ItemResult, type TestCatalog } from '../support/test-catalog';
import { asAdmin, seItem, startStorageCatalog } from './storage-catalog';

interface SeView {
  readonly name: string;
  readonly host: string;
  readonly surlPrefixes: string[];
  readonly status: string;
  readonly nearline: boolean;
  readonly protocols: { scheme: string; turlTemplate: string }[];
}

describe('the storage element registry', () => {
  let catalog: TestCatalog;
  let admin: ReturnType<typeof asAdmin>;

  const register = async (items: readonly unknown[]): Promise<ItemResult[]> => {
    const res = await admin.post('/api/v1/storage-elements', { items });
    expect(res.status).toBe(200);
    expectContract('StorageElementResults', res.body);
    return (res.body as { results: ItemResult[] }).results;
  };

  beforeAll(async () => {
    catalog = await startStorageCatalog();
    admin = asAdmin(catalog.app);
  });
  afterAll(() => catalog.close());

  it('registers SEs with defaults, lists them to anyone by name, and reads one', async () => {
    const results = await register([
      seItem('se1.example.org'),
      { name: 'TAPE-1', host: 'Tape1.Example.org:8446', nearline: true, status: 'readonly' },
    ]);
    expect(codes(results)).toEqual(['ok', 'ok']);
    expect(results[1]).toMatchObject({
      ok: true,
      storageElement: { name: 'TAPE-1', host: 'tape1.example.org', surlPrefixes: [], status: 'readonly', nearline: true, protocols: [] },
    });

    // Not an administrator: may read the registry all the same.
    const listed = await request(catalog.app).get('/api/v1/storage-elements').set('x-test-as', 'bob');
    expect(listed.status).toBe(200);
    expectContract('StorageElementList', listed.body);
    const names = (listed.body as { storageElements: SeView[] }).storageElements.map((se) => se.name);
    expect(names).toEqual(['TAPE-1', 'se1.example.org']);

    const one = await request(catalog.app).get('/api/v1/storage-elements/se1.example.org');
    expect(one.status).toBe(200);
    expectContract('StorageElement', one.body);
    expect(one.body).toMatchObject({
      name: 'se1.example.org',
      host: 'se1.example.org',
      status: 'online',
      nearline: false,
      surlPrefixes: ['srm://se1.example.org/dpm/'],
      protocols: [
        { scheme: 'https', turlTemplate: 'https://se1.example.org:8443/data{path}' },
        { scheme: 'root', turlTemplate: 'root://se1.example.org:1094/{path}' },
      ],
    });
  });

  it('refuses changes from anyone but an administrator, as a whole request (403)', async () => {
    for (const res of [
      await request(catalog.app).post('/api/v1/storage-elements').send({ items: [seItem('se9.example.org')] }),
      await request(catalog.app).patch('/api/v1/storage-elements/se1.example.org').send({ status: 'offline' }),
      await request(catalog.app).delete('/api/v1/storage-elements/se1.example.org'),
    ]) {
      expect(res.status).toBe(403);
      expect(res.type).toBe('application/problem+json');
      expect(res.body).toMatchObject({ code: 'PermissionDenied' });
    }
    expect((await request(catalog.app).get('/api/v1/storage-elements/se9.example.org')).status).toBe(404);
  });

  it('answers each item on its own: taken names, claimed prefixes, bad hosts, prefixes and TURL templates', async () => {
    const results = await register([
      seItem('se1.example.org'),
      seItem('se2.example.org', { surlPrefixes: ['srm://se1.example.org/dpm/'] }),
      seItem('se3.example.org', { host: 'https://se3.example.org/' }),
      seItem('se4.example.org', { surlPrefixes: ['not a url'] }),
      seItem('se5.example.org', { protocols: [{ scheme: 'https', turlTemplate: 'https://se5.example.org/data' }] }),
      seItem('se6.example.org', { protocols: [{ scheme: 'https', turlTemplate: 'https://se6.example.org/{pth}' }] }),
      seItem('se7.example.org', { protocols: [{ scheme: 'root', turlTemplate: 'https://se7.example.org/{path}' }] }),
      seItem('se8.example.org', { protocols: [{ scheme: 'https', turlTemplate: 'https://x/{path}' }, { scheme: 'https', turlTemplate: 'https://y/{path}' }] }),
      seItem('se10.example.org'),
      seItem('se10.example.org'),
      seItem('se11.example.org', { surlPrefixes: ['srm://se11.example.org/a/', 'srm://se11.example.org/a/'] }),
    ]);
    expect(codes(results)).toEqual([
      'Exists',
      'Conflict',
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'ok',
      'Exists',
      'InvalidArgument',
    ]);
    const messages = results.map((r) => (r.ok ? '' : r.error.message));
    expect(messages[1]).toContain('belongs to storage element se1.example.org');
    expect(messages[5]).toContain('{pth}');
    expect(messages[4]).toContain('{path}');
    // The refused SE left nothing behind, not even the prefixes it did not share.
    expect((await request(catalog.app).get('/api/v1/storage-elements/se2.example.org')).status).toBe(404);
  });

  it('refuses bodies that do not match the contract with problem+json (400)', async () => {
    for (const body of [
      { items: [{ name: 'se12.example.org' }] },
      { items: [{ ...seItem('se12.example.org'), status: 'broken' }] },
      { items: [{ ...seItem('se12.example.org'), colour: 'red' }] },
      { items: [{ ...seItem('se12.example.org'), name: '../etc' }] },
      { name: 'se12.example.org', host: 'se12.example.org' },
    ]) {
      const res = await admin.post('/api/v1/storage-elements', body);
      expect(res.status).toBe(400);
      expect(res.type).toBe('application/problem+json');
      expect(res.body).toMatchObject({ code: 'InvalidArgument' });
    }
    const empty = await admin.patch('/api/v1/storage-elements/se1.example.org', {});
    expect(empty.status).toBe(400);
  });

  it('changes status, host, prefixes and protocols; lists given replace the old ones; the name stays', async () => {
    await register([seItem('se20.example.org')]);
    const res = await admin.patch('/api/v1/storage-elements/se20.example.org', {
      status: 'offline',
      nearline: true,
      host: 'SE20b.example.org',
      surlPrefixes: ['srm://se20b.example.org/pnfs/', 'gsiftp://se20b.example.org/pnfs/'],
      protocols: [{ scheme: 'file', turlTemplate: 'file:///storage/se20{path}' }],
    });
    expect(res.status).toBe(200);
    expectContract('StorageElement', res.body);
    expect(res.body).toMatchObject({
      name: 'se20.example.org',
      host: 'se20b.example.org',
      status: 'offline',
      nearline: true,
      surlPrefixes: ['srm://se20b.example.org/pnfs/', 'gsiftp://se20b.example.org/pnfs/'],
      protocols: [{ scheme: 'file', turlTemplate: 'file:///storage/se20{path}' }],
    });
    const renamed = await admin.patch('/api/v1/storage-elements/se20.example.org', { name: 'other' });
    expect(renamed.status).toBe(400);
  });

  it('refuses a change that would take another SE prefix, leaving the SE as it was', async () => {
    const res = await admin.patch('/api/v1/storage-elements/se10.example.org', {
      status: 'readonly',
      surlPrefixes: ['srm://se10.example.org/new/', 'srm://se1.example.org/dpm/'],
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'Conflict' });
    const after = await request(catalog.app).get('/api/v1/storage-elements/se10.example.org');
    expect(after.body).toMatchObject({ status: 'online', surlPrefixes: ['srm://se10.example.org/dpm/'] });
  });

  it('removes an SE (404 afterwards, and for unknown names)', async () => {
    await register([seItem('se30.example.org')]);
    expect((await admin.delete('/api/v1/storage-elements/se30.example.org')).status).toBe(204);
    expect((await request(catalog.app).get('/api/v1/storage-elements/se30.example.org')).status).toBe(404);
    const again = await admin.delete('/api/v1/storage-elements/se30.example.org');
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ code: 'NotExists' });
    // Its prefix is free again.
    expect(codes(await register([seItem('se31.example.org', { surlPrefixes: ['srm://se30.example.org/dpm/'] })]))).toEqual(['ok']);
  });
});
