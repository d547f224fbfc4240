import request from 'supertest';
import { catalogApi, codes, expectContract, startTestCatalog, type ItemResult, type TestCatalog } from '../support/test-catalog';

// A fresh PGlite and its fixtures can take over a minute on a loaded machine (seen with parallel suites).
jest.setTimeout(180_000);

describe('metadata over REST', () => {
  let catalog: TestCatalog;
  let api: ReturnType<typeof catalogApi>;

  /** POSTs a bulk metadata request, checks it against the contract, returns the results. */
  const metaBulk = async (path: string, schema: string, items: readonly unknown[]): Promise<ItemResult[]> => {
    const res = await request(catalog.app).post(`/api/v1/attributes/${path}`).send({ items });
    expect(res.status).toBe(200);
    expectContract(schema, res.body);
    const results = (res.body as { results: ItemResult[] }).results;
    expect(results).toHaveLength(items.length);
    return results;
  };
  const query = async (body: Record<string, unknown>) => {
    const res = await request(catalog.app).post('/api/v1/query').send(body);
    if (res.status === 200) expectContract('QueryResult', res.body);
    else expectContract('Problem', res.body);
    return res;
  };

  beforeAll(async () => {
    catalog = await startTestCatalog();
    api = catalogApi(catalog.app);
    await api.mkdir('/grid/vo/run1', '/grid/vo/run2');
    await api.createFiles(Array.from({ length: 12 }, (_, i) => ({ lfn: `/grid/vo/run${(i % 2) + 1}/f${String(i).padStart(2, '0')}` })));
  });
  afterAll(() => catalog.close());

  describe('schemas', () => {
    it('creates (201), describes, lists, alters and drops a schema', async () => {
      const created = await request(catalog.app)
        .post('/api/v1/schemas')
        .send({ name: 'physics', attributes: [{ name: 'run', type: 'int' }, { name: 'detector', type: 'string' }] });
      expect(created.status).toBe(201);
      expectContract('Schema', created.body);
      expect(created.body).toEqual({ name: 'physics', attributes: [{ name: 'detector', type: 'string' }, { name: 'run', type: 'int' }] });

      const added = await request(catalog.app)
        .post('/api/v1/schemas/physics/attributes')
        .send({ attributes: [{ name: 'quality', type: 'string' }, { name: 'taken', type: 'timestamp' }, { name: 'energy', type: 'float' }, { name: 'good', type: 'bool' }] });
      expect(added.status).toBe(200);
      expectContract('Schema', added.body);
      expect(added.body.attributes).toHaveLength(6);

      const described = await request(catalog.app).get('/api/v1/schemas/physics');
      expect(described.status).toBe(200);
      expect(described.body).toEqual(added.body);

      await request(catalog.app).post('/api/v1/schemas').send({ name: 'scratch', attributes: [{ name: 'tmp', type: 'int' }] }).expect(201);
      const listed = await request(catalog.app).get('/api/v1/schemas');
      expect(listed.status).toBe(200);
      expectContract('SchemaList', listed.body);
      expect(listed.body.schemas.map((s: { name: string }) => s.name)).toEqual(['physics', 'scratch']);

      const removed = await request(catalog.app).delete('/api/v1/schemas/scratch/attributes').send({ names: ['tmp'] });
      expect(removed.status).toBe(200);
      expect(removed.body).toEqual({ name: 'scratch', attributes: [] });
      expect((await request(catalog.app).delete('/api/v1/schemas/scratch')).status).toBe(204);
      expect((await request(catalog.app).get('/api/v1/schemas/scratch')).body).toMatchObject({ status: 404, code: 'NotExists' });
    });

    it('answers problems: taken names 409, bad types 400, in use 409 until forced', async () => {
      const clash = await request(catalog.app).post('/api/v1/schemas').send({ name: 'other', attributes: [{ name: 'run', type: 'int' }] });
      expect(clash.body).toMatchObject({ status: 409, code: 'Exists' });
      const badType = await request(catalog.app).post('/api/v1/schemas').send({ name: 'other', attributes: [{ name: 'x', type: 'varchar' }] });
      expect(badType.body).toMatchObject({ status: 400, code: 'InvalidArgument' });
      expectContract('Problem', badType.body);

      await request(catalog.app).post('/api/v1/schemas').send({ name: 'temp', attributes: [{ name: 'scratchpad', type: 'string' }] }).expect(201);
      await metaBulk('set', 'EmptyResults', [{ lfn: '/grid/vo/run1/f00', attributes: { scratchpad: 'x' } }]);
      const refused = await request(catalog.app).delete('/api/v1/schemas/temp');
      expect(refused.body).toMatchObject({ status: 409, code: 'Conflict', detail: expect.stringContaining('scratchpad') });
      const refusedAttr = await request(catalog.app).delete('/api/v1/schemas/temp/attributes').send({ names: ['scratchpad'] });
      expect(refusedAttr.body).toMatchObject({ status: 409, code: 'Conflict' });
      expect((await request(catalog.app).delete('/api/v1/schemas/temp').query({ force: true })).status).toBe(204);
    });
  });

  describe('attributes', () => {
    beforeAll(async () => {
      const items = Array.from({ length: 12 }, (_, i) => ({
        lfn: `/grid/vo/run${(i % 2) + 1}/f${String(i).padStart(2, '0')}`,
        attributes: {
          run: 1000 + i,
          detector: i % 3 === 0 ? 'tpc' : 'its',
          quality: i % 4 === 0 ? 'good' : 'bad',
          energy: i / 2,
          good: i % 2 === 0,
          taken: `2024-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`,
        },
      }));
      expect(codes(await metaBulk('set', 'EmptyResults', items)).every((c) => c === 'ok')).toBe(true);
      await metaBulk('set', 'EmptyResults', [{ lfn: '/grid/vo/run1', attributes: { detector: 'tpc', quality: 'gold' } }]);
    });

    it('sets, gets (all or named), lists and clears, per item', async () => {
      const [all, named, missing] = await metaBulk('get', 'AttributeValuesResults', [
        { lfn: '/grid/vo/run1/f00' },
        { lfn: '/grid/vo/run1/f00', names: ['run', 'taken'] },
        { lfn: '/grid/vo/nope' },
      ]);
      expect(all).toEqual({
        ok: true,
        attributes: { detector: 'tpc', energy: 0, good: true, quality: 'good', run: 1000, taken: '2024-01-01T00:00:00.000Z' },
      });
      expect(named).toEqual({ ok: true, attributes: { run: 1000, taken: '2024-01-01T00:00:00.000Z' } });
      expect(missing).toMatchObject({ ok: false, error: { code: 'NotExists' } });

      const [listed] = await metaBulk('list', 'AttributeListResults', [{ lfn: '/grid/vo/run1' }]);
      expect(listed).toEqual({
        ok: true,
        attributes: [
          { name: 'detector', type: 'string', schema: 'physics' },
          { name: 'quality', type: 'string', schema: 'physics' },
        ],
      });

      const bad = await metaBulk('set', 'EmptyResults', [
        { lfn: '/grid/vo/run1/f00', attributes: { run: 'many' } },
        { lfn: '/grid/vo/run1/f00', attributes: { nosuch: 'x' } },
        { lfn: '/grid/vo/run1/f00', attributes: { taken: 'last tuesday' } },
      ]);
      expect(codes(bad)).toEqual(['InvalidArgument', 'InvalidArgument', 'InvalidArgument']);
      expect(bad[0]).toMatchObject({ error: { message: expect.stringContaining('"run" is an int') } });

      await api.createFiles([{ lfn: '/grid/vo/clearme' }]);
      await metaBulk('set', 'EmptyResults', [{ lfn: '/grid/vo/clearme', attributes: { run: 1, detector: 'x' } }]);
      expect(codes(await metaBulk('clear', 'EmptyResults', [{ lfn: '/grid/vo/clearme', names: ['run'] }]))).toEqual(['ok']);
      const [after] = await metaBulk('get', 'AttributeValuesResults', [{ lfn: '/grid/vo/clearme' }]);
      expect(after).toEqual({ ok: true, attributes: { detector: 'x' } });
    });

    it('refuses malformed bodies as a whole with 400', async () => {
      const res = await request(catalog.app).post('/api/v1/attributes/set').send({ items: [{ lfn: '/grid', attributes: { run: [1] } }] });
      expect(res.body).toMatchObject({ status: 400, code: 'InvalidArgument' });
      const empty = await request(catalog.app).post('/api/v1/attributes/clear').send({ items: [{ lfn: '/grid', names: [] }] });
      expect(empty.body).toMatchObject({ status: 400, code: 'InvalidArgument' });
    });
  });

  describe('query', () => {
    it('answers a page of entries with the documented fields', async () => {
      const res = await query({ query: "run >= 1004 AND detector = 'its' AND quality IN ('good', 'bad')", under: '/grid/vo', kind: 'file' });
      expect(res.status).toBe(200);
      expect(res.body.entries.map((e: { lfn: string }) => e.lfn)).toEqual([
        '/grid/vo/run1/f04',
        '/grid/vo/run1/f08',
        '/grid/vo/run1/f10',
        '/grid/vo/run2/f05',
        '/grid/vo/run2/f07',
        '/grid/vo/run2/f11',
      ]);
      expect(res.body.next).toBeNull();
      res.body.entries.forEach((e: unknown) => expectContract('Entry', e));
    });

    it('pages with cursors', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await query({ query: 'run >= 1000', limit: 5, ...(cursor ? { cursor } : {}) });
        expect(res.status).toBe(200);
        seen.push(...res.body.entries.map((e: { lfn: string }) => e.lfn));
        cursor = res.body.next;
      } while (cursor !== null);
      expect(seen).toHaveLength(12);
      expect([...seen].sort()).toEqual(seen);
    });

    it('counts', async () => {
      const res = await query({ query: 'good = true OR energy > 5', count: true });
      expect(res.body).toEqual({ count: 7 });
    });

    it('inherits directory metadata when asked', async () => {
      const own = await query({ query: "quality = 'gold'", count: true });
      const inherited = await query({ query: "quality = 'gold'", inherit: true, kind: 'file', count: true });
      expect([own.body.count, inherited.body.count]).toEqual([1, 0]);
      const tpc = await query({ query: "detector = 'tpc'", under: '/grid/vo/run1', inherit: true, kind: 'file' });
      // Files of run1 carry their own detector, which wins over the directory's.
      expect(tpc.body.entries.map((e: { lfn: string }) => e.lfn)).toEqual(['/grid/vo/run1/f00', '/grid/vo/run1/f06']);
      const noDetector = await query({ query: "detector = 'tpc'", under: '/grid/vo', inherit: true, kind: 'file', count: true });
      expect(noDetector.body.count).toBe(4);
    });

    it('streams NDJSON', async () => {
      const res = await request(catalog.app).post('/api/v1/query').set('accept', 'application/x-ndjson').send({ query: 'EXISTS run' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/x-ndjson/);
      const lines = res.text.trim().split('\n').map((line) => JSON.parse(line) as unknown);
      expect(lines).toHaveLength(12);
      lines.forEach((line) => expectContract('Entry', line));
    });

    it('answers a problem naming the column of an invalid query, even when streaming', async () => {
      const res = await query({ query: "run >= 1000 AND detectr = 'tpc'" });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'InvalidArgument', detail: 'invalid query at column 17: no such attribute: "detectr"' });
      const streamed = await request(catalog.app).post('/api/v1/query').set('accept', 'application/x-ndjson').send({ query: 'run >' });
      expect(streamed.status).toBe(400);
      expect(streamed.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(streamed.body).toMatchObject({ detail: expect.stringContaining('column 6') });
    });

    it('refuses unknown fields, bad kinds, foreign cursors and missing scopes', async () => {
      expect((await query({ query: 'run = 1', sql: 'DROP TABLE entries' })).status).toBe(400);
      expect((await query({ query: 'run = 1', kind: 'table' })).status).toBe(400);
      expect((await query({ query: 'run = 1', under: '/nope' })).body).toMatchObject({ status: 404, code: 'NotExists' });
      const page = await query({ query: 'EXISTS run', limit: 1 });
      expect((await query({ query: 'EXISTS detector', cursor: page.body.next })).status).toBe(400);
      expect((await query({ query: 'EXISTS run', limit: 0 })).status).toBe(400);
    });
  });
});
