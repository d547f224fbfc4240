import { sql } from 'kysely';
import request from 'supertest';
import * as core from '../../src/core';
import { bulk, catalogApi, codes, expectContract, startTestCatalog, type TestCatalog } from '../support/test-catalog';

describe('namespace over REST', () => {
  let catalog: TestCatalog;
  let api: ReturnType<typeof catalogApi>;

  beforeAll(async () => {
    catalog = await startTestCatalog();
    api = catalogApi(catalog.app);
  });
  afterAll(() => catalog.close());

  describe('mkdir', () => {
    it('makes a directory whose parent exists, and records the caller as owner', async () => {
      await api.mkdir('/ns');
      const [made] = await bulk(catalog.app, '/api/v1/directories', [{ lfn: '/ns/a' }]);
      expect(made).toMatchObject({ ok: true, entry: { lfn: '/ns/a', kind: 'directory', owner: '/DC=org/DC=example/CN=Test User' } });
    });

    it('answers Exists, NotExists and InvalidArgument per item, keeping request order', async () => {
      const results = await bulk(catalog.app, '/api/v1/directories', [
        { lfn: '/ns/a' },
        { lfn: '/ns/missing/child' },
        { lfn: 'relative' },
        { lfn: '/ns/b' },
        { lfn: '/ns/b' },
      ]);
      expect(codes(results)).toEqual(['Exists', 'NotExists', 'InvalidArgument', 'ok', 'Exists']);
    });

    it('answers bulk JSON text with the headers express would give it', async () => {
      const res = await request(catalog.app).post('/api/v1/entries/stat').set('x-request-id', 'text-answer').send({ items: [{ lfn: '/ns/a' }, { lfn: '/ns/é-missing' }] });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.text)));
      expect(res.headers['x-request-id']).toBe('text-answer');
      expect(res.headers.etag).toBeUndefined();
      expect(codes((res.body as { results: never[] }).results)).toEqual(['ok', 'NotExists']);
    });

    it('with parents makes every missing ancestor and accepts an existing directory', async () => {
      const results = await api.mkdir('/ns/p/q/r', '/ns/p/q', '/ns/a');
      expect(codes(results)).toEqual(['ok', 'ok', 'ok']);
      expect(await api.statOne('/ns/p')).toMatchObject({ ok: true, entry: { kind: 'directory' } });
    });

    it('refuses to make a directory where a file is, or below a file', async () => {
      await api.createFiles([{ lfn: '/ns/file1' }]);
      const results = await api.mkdir('/ns/file1', '/ns/file1/sub');
      expect(codes(results)).toEqual(['Exists', 'NotADirectory']);
    });
  });

  describe('files', () => {
    it('registers a file with a generated GUID, size, canonical checksum and replicas', async () => {
      const [created] = await api.createFiles([
        {
          lfn: '/ns/f1',
          size: 1234,
          checksum: { type: 'adler32', value: '9600001' },
          replicas: [{ surl: 'srm://se1.example.org/data/f1' }, { surl: 'srm://SE2.example.org:8446/data/f1' }],
        },
      ]);
      expect(created).toMatchObject({
        ok: true,
        entry: { lfn: '/ns/f1', kind: 'file', size: 1234, checksum: { type: 'adler32', value: '09600001' } },
      });
      const guid = (created as unknown as { entry: { guid: string } }).entry.guid;
      expect(guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const [listed] = await api.listReplicas([{ guid: `guid:${guid.toUpperCase()}` }]);
      expect(listed).toMatchObject({
        ok: true,
        guid,
        replicas: [
          { surl: 'srm://se1.example.org/data/f1', se: 'se1.example.org', master: true },
          { surl: 'srm://SE2.example.org:8446/data/f1', se: 'se2.example.org', master: false },
        ],
      });
    });

    it('keeps a given GUID and refuses it on a second file', async () => {
      const guid = '6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c';
      const results = await api.createFiles([
        { lfn: '/ns/g1', guid: `guid:${guid}` },
        { lfn: '/ns/g2', guid },
      ]);
      expect(codes(results)).toEqual(['ok', 'Exists']);
      expect(results[0]).toMatchObject({ entry: { guid } });
    });

    it('answers each create error with its code', async () => {
      const results = await api.createFiles([
        { lfn: '/ns/f1' },
        { lfn: '/ns/nodir/f' },
        { lfn: '/ns/f1/below-a-file' },
        { lfn: '/ns/bad-sum', checksum: { type: 'md5', value: 'xyz' } },
        { lfn: '/ns/bad-guid', guid: 'not-a-guid' },
        { lfn: '/ns/bad-surl', replicas: [{ surl: 'no scheme' }] },
        { lfn: '/ns/two-masters', replicas: [{ surl: 'srm://a/1', master: true }, { surl: 'srm://a/2', master: true }] },
        { lfn: '/' },
      ]);
      expect(codes(results)).toEqual([
        'Exists',
        'NotExists',
        'NotADirectory',
        'InvalidArgument',
        'InvalidArgument',
        'InvalidArgument',
        'InvalidArgument',
        'Exists',
      ]);
    });
  });

  describe('stat', () => {
    it('describes directories, files and symlinks with the documented fields', async () => {
      await api.symlink('/ns/l1', '/ns/f1');
      const results = await api.stat([{ lfn: '/ns' }, { lfn: '/ns/f1' }, { lfn: '/ns/l1', follow: false }, { lfn: '/ns/nope' }]);
      expect(codes(results)).toEqual(['ok', 'ok', 'ok', 'NotExists']);
      expect(results[2]).toMatchObject({ entry: { kind: 'symlink', target: '/ns/f1' } });
      expect(results[0]).not.toHaveProperty('entry.guid');
    });
  });

  describe('directory listings', () => {
    beforeAll(async () => {
      await api.mkdir('/list');
      await api.createFiles(Array.from({ length: 25 }, (_, i) => ({ lfn: `/list/f${String(i).padStart(2, '0')}` })));
    });

    it('pages with opaque cursors in name order', async () => {
      const names: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: request.Response = await request(catalog.app)
          .get('/api/v1/directories/entries')
          .query({ lfn: '/list', limit: 10, ...(cursor ? { cursor } : {}) });
        expect(res.status).toBe(200);
        expectContract('EntryPage', res.body);
        names.push(...(res.body.entries as { lfn: string }[]).map((e) => e.lfn));
        cursor = res.body.next as string | null;
        pages += 1;
      } while (cursor !== null);
      expect(pages).toBe(3);
      expect(names).toEqual(Array.from({ length: 25 }, (_, i) => `/list/f${String(i).padStart(2, '0')}`));
    });

    it('streams every entry as NDJSON when asked', async () => {
      const res = await request(catalog.app).get('/api/v1/directories/entries').query({ lfn: '/list' }).set('accept', 'application/x-ndjson');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/x-ndjson/);
      const lines = res.text.trim().split('\n').map((line) => JSON.parse(line) as { lfn: string });
      expect(lines).toHaveLength(25);
      lines.forEach((line) => expectContract('Entry', line));
    });

    it('streams a directory page by page in name order, reading ahead without losing or repeating an entry', async () => {
      for (const batch of [7, 5, 1, 100]) {
        const pages: string[][] = [];
        for await (const page of core.streamDirectoryPages(catalog.ctx, '/list', batch)) pages.push(page.map((e) => e.lfn));
        expect(pages.flat()).toEqual(Array.from({ length: 25 }, (_, i) => `/list/f${String(i).padStart(2, '0')}`));
        expect(pages.every((page) => page.length <= batch)).toBe(true);
      }
    });

    it('streams every kind of entry exactly as the JSON pages show it, times before 1970 and with microseconds included', async () => {
      await api.mkdir('/kinds/sub', '/kinds/closed');
      await api.createFiles([
        { lfn: '/kinds/f', size: 1234, checksum: { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e' } },
        { lfn: '/kinds/bare' },
        { lfn: '/kinds/ünï "q" \\ €😀' },
      ]);
      await api.symlink('/kinds/link', '/kinds/f');
      // A child the caller may not list or read is still listed: the listing's right is the directory's.
      const [closed] = await bulk(catalog.app, '/api/v1/permissions/set', [{ lfn: '/kinds/closed', permission: { base: { owner: ['permission'], group: [], other: [] } } }]);
      expect(closed).toMatchObject({ ok: true });
      const times: [string, string, string][] = [
        ['/kinds/f', '1969-12-31 23:59:59.999999+00', '1969-12-31 23:59:59.0005+00'],
        ['/kinds/bare', '2026-01-02 03:04:05.678999+00', '1970-01-01 00:00:00.0005+00'],
        ['/kinds/link', '2026-05-06 07:08:09+00', '2026-05-06 07:08:09.1+00'],
        ['/kinds/sub', '1900-02-28 12:00:00.000001+00', '2026-05-06 07:08:09.999+00'],
      ];
      for (const [lfn, ctime, mtime] of times) {
        await sql`UPDATE entries SET ctime = ${ctime}::timestamptz, mtime = ${mtime}::timestamptz WHERE lfn = ${lfn}`.execute(catalog.ctx.db);
      }
      const page = await request(catalog.app).get('/api/v1/directories/entries').query({ lfn: '/kinds', limit: 100 });
      expect(page.status).toBe(200);
      const streamed = await request(catalog.app).get('/api/v1/directories/entries').query({ lfn: '/kinds' }).set('accept', 'application/x-ndjson');
      expect(streamed.status).toBe(200);
      const lines = streamed.text.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toEqual((page.body.entries as unknown[]).map((entry) => JSON.stringify(entry)));
      expect(lines.map((line) => (JSON.parse(line) as { kind: string }).kind).sort()).toEqual(['directory', 'directory', 'file', 'file', 'file', 'symlink']);
      expect(JSON.parse(lines.find((line) => line.includes('"/kinds/f"'))!)).toMatchObject({ ctime: '1969-12-31T23:59:59.999Z', mtime: '1969-12-31T23:59:59.000Z' });
    });

    it('refuses to stream a directory the caller may not list, before any line', async () => {
      await api.mkdir('/unlisted');
      await api.createFiles([{ lfn: '/unlisted/f' }]);
      await bulk(catalog.app, '/api/v1/permissions/set', [{ lfn: '/unlisted', permission: { base: { owner: ['permission', 'read', 'execute'], group: [], other: [] } } }]);
      const res = await request(catalog.app).get('/api/v1/directories/entries').query({ lfn: '/unlisted' }).set('accept', 'application/x-ndjson');
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'PermissionDenied' });
    });

    it('answers problems for a missing directory, a file, and a foreign cursor', async () => {
      const missing = await request(catalog.app).get('/api/v1/directories/entries').query({ lfn: '/nope' });
      expect(missing.status).toBe(404);
      expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(missing.body).toMatchObject({ code: 'NotExists', status: 404 });
      const file = await request(catalog.app).get('/api/v1/directories/entries').query({ lfn: '/list/f01' });
      expect(file.body).toMatchObject({ code: 'NotADirectory' });
      const page = await request(catalog.app).get('/api/v1/directories/entries').query({ lfn: '/list', limit: 1 });
      const foreign = await request(catalog.app).get('/api/v1/directories/entries').query({ lfn: '/ns', cursor: page.body.next });
      expect(foreign.status).toBe(400);
      const junk = await request(catalog.app).get('/api/v1/directories/entries').query({ lfn: '/ns', cursor: '!!!' });
      expect(junk.status).toBe(400);
      const badLimit = await request(catalog.app).get('/api/v1/directories/entries').query({ lfn: '/ns', limit: 0 });
      expect(badLimit.status).toBe(400);
    });
  });
});
