import request from 'supertest';
import type { Identity } from '../../src/core/context';
import { switchableCaller } from '../soap/soap-harness';
import { catalogApi, codes, expectContract, startTestCatalog, TEST_IDENTITY, type ItemResult, type TestCatalog } from '../support/test-catalog';

jest.setTimeout(180_000);

const OTHER: Identity = { dn: '/DC=org/DC=example/CN=Other User', group: 'others', groups: [] };

describe('schema bindings (createEntry, removeEntry, associateDirWithSchema) over REST', () => {
  let catalog: TestCatalog;
  let api: ReturnType<typeof catalogApi>;
  const caller = switchableCaller(TEST_IDENTITY);

  const post = async (path: string, items: readonly unknown[], schema = 'EmptyResults'): Promise<ItemResult[]> => {
    const res = await request(catalog.app).post(path).send({ items });
    expect(res.status).toBe(200);
    if (schema !== 'EmptyResults') expectContract(schema, res.body);
    const results = (res.body as { results: ItemResult[] }).results;
    expect(results).toHaveLength(items.length);
    return results;
  };
  const bind = (items: readonly unknown[]) => post('/api/v1/schema-bindings/add', items);
  const unbind = (items: readonly unknown[]) => post('/api/v1/schema-bindings/remove', items);
  const bindings = (...lfns: string[]) => post('/api/v1/schema-bindings/get', lfns.map((lfn) => ({ lfn })), 'SchemaBindingsResults');
  const set = (lfn: string, attributes: Record<string, unknown>) => post('/api/v1/attributes/set', [{ lfn, attributes }]);
  const drop = (...lfns: string[]) => post('/api/v1/attributes/drop', lfns.map((lfn) => ({ lfn })));

  beforeAll(async () => {
    catalog = await startTestCatalog({}, { identify: caller.identify });
    api = catalogApi(catalog.app);
    await api.mkdir('/grid/vo/b/sub', '/grid/vo/open');
    await api.createFiles(['f1', 'f2', 'f3', 'f4', 'f5'].map((n) => ({ lfn: `/grid/vo/b/${n}` })));
    await api.createFiles([{ lfn: '/grid/vo/open/x' }]);
    for (const schema of [
      { name: 'runs', attributes: [{ name: 'run', type: 'int' }] },
      { name: 'detectors', attributes: [{ name: 'detector', type: 'string' }] },
    ]) {
      await request(catalog.app).post('/api/v1/schemas').send(schema).expect(201);
    }
  });
  afterAll(() => catalog.close());

  it('binds entries to schemas: Exists when bound already (also twice in one request), NotExists for unknown names', async () => {
    expect(codes(await bind([{ lfn: '/grid/vo/b/f1', schema: 'runs' }]))).toEqual(['ok']);
    const results = await bind([
      { lfn: '/grid/vo/b/f1', schema: 'runs' },
      { lfn: '/grid/vo/b/f5', schema: 'runs' },
      { lfn: '/grid/vo/b/f5', schema: 'runs' },
      { lfn: '/grid/vo/b/f1', schema: 'nope' },
      { lfn: '/grid/vo/b/none', schema: 'runs' },
      { lfn: 'relative', schema: 'runs' },
    ]);
    expect(codes(results)).toEqual(['Exists', 'ok', 'Exists', 'NotExists', 'NotExists', 'InvalidArgument']);
    expect(results[0]).toMatchObject({ error: { message: expect.stringMatching(/\/grid\/vo\/b\/f1 is already bound to schema "runs"/) } });
    expect(await bindings('/grid/vo/b/f1', '/grid/vo/b/f2')).toEqual([
      { ok: true, schemas: ['runs'], inherited: [] },
      { ok: true, schemas: [], inherited: [] },
    ]);
  });

  it('a bound entry takes only attributes of its schemas; an unbound one anything defined', async () => {
    const refused = await set('/grid/vo/b/f1', { run: 7, detector: 'tpc' });
    expect(codes(refused)).toEqual(['InvalidArgument']);
    expect(refused[0]).toMatchObject({ error: { message: expect.stringMatching(/"detector" belongs to schema "detectors".*takes only attributes of "runs"/) } });
    // The item is all or nothing: run was not set either.
    const got = await post('/api/v1/attributes/get', [{ lfn: '/grid/vo/b/f1' }]);
    expect(got[0]).toEqual({ ok: true, attributes: {} });
    expect(codes(await set('/grid/vo/b/f1', { run: 7 }))).toEqual(['ok']);
    expect(codes(await set('/grid/vo/b/f2', { run: 1, detector: 'tpc' }))).toEqual(['ok']);
  });

  it("a directory's bindings govern the entries directly in it, not deeper ones", async () => {
    expect(codes(await bind([{ lfn: '/grid/vo/b', schema: 'detectors' }]))).toEqual(['ok']);
    expect(await bindings('/grid/vo/b/f1', '/grid/vo/b/f3', '/grid/vo/b/sub', '/grid/vo/b')).toEqual([
      { ok: true, schemas: ['runs'], inherited: ['detectors'] },
      { ok: true, schemas: [], inherited: ['detectors'] },
      { ok: true, schemas: [], inherited: ['detectors'] },
      { ok: true, schemas: ['detectors'], inherited: [] },
    ]);
    expect(codes(await set('/grid/vo/b/f3', { run: 3 }))).toEqual(['InvalidArgument']);
    expect(codes(await set('/grid/vo/b/f3', { detector: 'emcal' }))).toEqual(['ok']);
    expect(codes(await set('/grid/vo/b/f1', { run: 8, detector: 'tpc' }))).toEqual(['ok']);
    // Values set before the binding stay (the binding is checked when values are written).
    const f2 = await post('/api/v1/attributes/get', [{ lfn: '/grid/vo/b/f2' }]);
    expect(f2[0]).toEqual({ ok: true, attributes: { run: 1, detector: 'tpc' } });
    // /grid/vo/b/sub/deeper is governed by sub's bindings (none), not by /grid/vo/b's.
    await api.createFiles([{ lfn: '/grid/vo/b/sub/deeper' }]);
    expect(codes(await set('/grid/vo/b/sub/deeper', { run: 1 }))).toEqual(['ok']);
    expect(codes(await set('/grid/vo/open/x', { run: 2, detector: 'its' }))).toEqual(['ok']);
  });

  it('unbinds one schema (values stay), NotExists when not bound', async () => {
    await bind([{ lfn: '/grid/vo/b/f4', schema: 'runs' }]);
    expect(codes(await set('/grid/vo/b/f4', { run: 4 }))).toEqual(['ok']);
    expect(codes(await unbind([{ lfn: '/grid/vo/b/f4', schema: 'runs' }, { lfn: '/grid/vo/b/f4', schema: 'runs' }, { lfn: '/grid/vo/b/f4', schema: 'nope' }]))).toEqual([
      'ok',
      'NotExists',
      'NotExists',
    ]);
    expect(await bindings('/grid/vo/b/f4')).toEqual([{ ok: true, schemas: [], inherited: ['detectors'] }]);
    const got = await post('/api/v1/attributes/get', [{ lfn: '/grid/vo/b/f4' }]);
    expect(got[0]).toEqual({ ok: true, attributes: { run: 4 } });
  });

  it('drops all metadata of an entry (removeEntry): values and bindings, the entry stays; NotExists when none', async () => {
    expect(codes(await drop('/grid/vo/b/f1', '/grid/vo/b/f1', '/grid/vo/b/none'))).toEqual(['ok', 'NotExists', 'NotExists']);
    expect(await bindings('/grid/vo/b/f1')).toEqual([{ ok: true, schemas: [], inherited: ['detectors'] }]);
    expect((await post('/api/v1/attributes/get', [{ lfn: '/grid/vo/b/f1' }]))[0]).toEqual({ ok: true, attributes: {} });
    expect(codes(await api.stat([{ lfn: '/grid/vo/b/f1' }]))).toEqual(['ok']);
  });

  it('bindings follow moves, and go with removed entries and dropped schemas', async () => {
    await api.mkdir('/grid/vo/mv');
    await api.createFiles([{ lfn: '/grid/vo/mv/a' }]);
    await bind([{ lfn: '/grid/vo/mv/a', schema: 'runs' }]);
    await api.move([{ from: '/grid/vo/mv/a', to: '/grid/vo/mv/b' }]);
    expect(await bindings('/grid/vo/mv/b')).toEqual([{ ok: true, schemas: ['runs'], inherited: [] }]);
    await api.remove([{ lfn: '/grid/vo/mv/b' }]);
    await api.createFiles([{ lfn: '/grid/vo/mv/b' }]);
    expect(await bindings('/grid/vo/mv/b')).toEqual([{ ok: true, schemas: [], inherited: [] }]);

    await request(catalog.app).post('/api/v1/schemas').send({ name: 'temp', attributes: [{ name: 'temp.x', type: 'int' }] }).expect(201);
    await bind([{ lfn: '/grid/vo/mv/b', schema: 'temp' }]);
    await request(catalog.app).delete('/api/v1/schemas/temp').expect(204);
    expect(await bindings('/grid/vo/mv/b')).toEqual([{ ok: true, schemas: [], inherited: [] }]);
  });

  it('needs setMetadata to bind, unbind or drop, and getMetadata to read bindings', async () => {
    await api.mkdir('/grid/vo/private');
    await api.createFiles([{ lfn: '/grid/vo/private/p' }]);
    await post('/api/v1/permissions/set', [{ lfn: '/grid/vo/private/p', permission: { base: { owner: ['read', 'write', 'remove', 'getMetadata', 'setMetadata', 'permission'], group: [], other: [] }, acl: [] } }]).then((r) => expect(codes(r)).toEqual(['ok']));
    await bind([{ lfn: '/grid/vo/private/p', schema: 'runs' }]);
    await caller.as(OTHER, async () => {
      expect(codes(await bind([{ lfn: '/grid/vo/private/p', schema: 'detectors' }]))).toEqual(['PermissionDenied']);
      expect(codes(await unbind([{ lfn: '/grid/vo/private/p', schema: 'runs' }]))).toEqual(['PermissionDenied']);
      expect(codes(await drop('/grid/vo/private/p'))).toEqual(['PermissionDenied']);
      expect(codes(await bindings('/grid/vo/private/p'))).toEqual(['PermissionDenied']);
    });
    expect(await bindings('/grid/vo/private/p')).toEqual([{ ok: true, schemas: ['runs'], inherited: [] }]);
  });

  it('refuses malformed bodies with problem+json', async () => {
    for (const body of [{ items: [{ lfn: '/grid/vo/b/f1' }] }, { items: [{ lfn: '/grid/vo/b/f1', schema: '' }] }, { items: [{ lfn: '/x', schema: 's', extra: 1 }] }]) {
      const res = await request(catalog.app).post('/api/v1/schema-bindings/add').send(body);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });
});
