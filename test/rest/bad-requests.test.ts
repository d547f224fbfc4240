import { gzipSync } from 'node:zlib';
import pino from 'pino';
import request from 'supertest';
import { localIdentity } from '../../src/auth/local-identity';
import { createRestApp } from '../../src/rest/app';
import { bulk, catalogApi, codes, expectContract, startTestCatalog, TEST_IDENTITY, TEST_LIMITS, type TestCatalog } from '../support/test-catalog';

interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly instance?: string;
  readonly requestId?: string;
  readonly errors?: readonly { path: string; message: string }[];
}

/**
 * Expects a whole-request failure: the status, an application/problem+json body that matches the
 * contract, the documented code, and the request id of the response.
 */
function expectProblem(res: request.Response, status: number, code: string): ProblemBody {
  // Status and body together, so a failure shows what the service answered instead.
  expect({ status: res.status, body: res.body as unknown }).toMatchObject({ status, body: { status, code } });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expectContract('Problem', res.body);
  const problem = res.body as ProblemBody;
  expect(problem.detail).toEqual(expect.any(String));
  expect(problem.requestId).toBe(res.headers['x-request-id']);
  return problem;
}

/** POSTs a body exactly as given: supertest would otherwise re-encode a Buffer sent as JSON. */
function postRaw(app: TestCatalog['app'], path: string, body: string | Buffer, contentType = 'application/json'): request.Test {
  const test = request(app).post(path).set('content-type', contentType);
  return typeof body === 'string' ? test.send(body) : test.serialize(() => body as unknown as string).send(body);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GUID = '6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c';
const STAT = '/api/v1/entries/stat';
const FILES = '/api/v1/files';
const LIST = '/api/v1/directories/entries';

/** Every bulk POST route with one item of its valid shape, naming something that does not exist. */
const BULK_ROUTES: readonly [string, (i: number) => Record<string, unknown>][] = [
  ['/api/v1/directories', (i) => ({ lfn: `/no-such-dir/d${i}` })],
  ['/api/v1/files', (i) => ({ lfn: `/no-such-dir/f${i}` })],
  ['/api/v1/symlinks', (i) => ({ lfn: `/no-such-dir/l${i}`, target: '/x' })],
  ['/api/v1/entries/stat', (i) => ({ lfn: `/no-such-dir/s${i}` })],
  ['/api/v1/entries/move', (i) => ({ from: `/no-such-dir/m${i}`, to: `/no-such-dir/n${i}` })],
  ['/api/v1/entries/remove', (i) => ({ lfn: `/no-such-dir/r${i}` })],
  ['/api/v1/replicas/add', (i) => ({ lfn: `/no-such-dir/a${i}`, surl: `srm://se.example.org/a${i}` })],
  ['/api/v1/replicas/remove', (i) => ({ lfn: `/no-such-dir/a${i}`, surl: `srm://se.example.org/a${i}` })],
  ['/api/v1/replicas/set-master', (i) => ({ lfn: `/no-such-dir/a${i}`, surl: `srm://se.example.org/a${i}` })],
  ['/api/v1/replicas/list', (i) => ({ lfn: `/no-such-dir/a${i}` })],
  ['/api/v1/guids/lookup', (i) => ({ lfn: `/no-such-dir/a${i}` })],
];
const BULK_PATHS = BULK_ROUTES.map(([path]) => path);

const items = (n: number, item: (i: number) => unknown) => Array.from({ length: n }, (_, i) => item(i));

describe('whole-request failures over REST', () => {
  describe('with small limits (50 items, 64 KiB bodies)', () => {
    const MAX_ITEMS = 50;
    const MAX_BODY = 64 * 1024;
    let catalog: TestCatalog;
    let api: ReturnType<typeof catalogApi>;

    beforeAll(async () => {
      catalog = await startTestCatalog({ maxItems: MAX_ITEMS, maxBodyBytes: MAX_BODY });
      api = catalogApi(catalog.app);
      await api.mkdir('/bad');
    });
    afterAll(() => catalog.close());

    describe('malformed bodies', () => {
      it.each([
        ['truncated JSON', '{"items": ['],
        ['single-quoted JSON', "{'items': []}"],
        ['a trailing comma', '{"items": [],}'],
        ['a bare word', 'items'],
        ['a JSON string', '"x"'],
        ['JSON null', 'null'],
        ['JSON true', 'true'],
        ['a JSON number', '42'],
      ])('refuses %s with 400 InvalidArgument', async (_what, body) => {
        const problem = expectProblem(await postRaw(catalog.app, STAT, body), 400, 'InvalidArgument');
        expect(problem.detail).toMatch(/not valid JSON|does not match/);
      });

      it('says the body is not valid JSON when it does not parse', async () => {
        const problem = expectProblem(await postRaw(catalog.app, FILES, '{"items": [{"lfn": "/bad/x"'), 400, 'InvalidArgument');
        expect(problem.detail).toMatch(/not valid JSON/);
        expect(problem.instance).toBe(FILES);
      });

      it.each<[string, string]>([
        ['an empty array', '[]'],
        ['an empty object (no items)', '{}'],
        ['an empty body', ''],
        ['deeply nested arrays', `${'['.repeat(20_000)}${']'.repeat(20_000)}`],
      ])('refuses %s with 400 InvalidArgument', async (_what, body) => {
        expectProblem(await postRaw(catalog.app, STAT, body), 400, 'InvalidArgument');
      });

      it('names the missing items field', async () => {
        const problem = expectProblem(await request(catalog.app).post(STAT).send({}), 400, 'InvalidArgument');
        expect(problem.detail).toContain('items');
        expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ message: expect.stringContaining('items') })]));
      });

      it.each<[string, unknown]>([
        ['an object', { lfn: '/bad' }],
        ['a string', '/bad'],
        ['a number', 1],
        ['null', null],
        ['true', true],
      ])('refuses items that is %s instead of an array', async (_what, value) => {
        const problem = expectProblem(await request(catalog.app).post(STAT).send({ items: value }), 400, 'InvalidArgument');
        expect(problem.detail).toContain('/items');
      });

      it.each<[string, unknown]>([
        ['a number', 5],
        ['a string', '/bad'],
        ['null', null],
        ['an array', ['/bad']],
        ['a boolean', false],
      ])('refuses an item that is %s instead of an object', async (_what, item) => {
        const problem = expectProblem(await request(catalog.app).post(STAT).send({ items: [{ lfn: '/bad' }, item] }), 400, 'InvalidArgument');
        expect(problem.detail).toContain('/items/1');
      });

      it.each<[string, string, Record<string, unknown>, string]>([
        ['lfn: 5', '/api/v1/directories', { lfn: 5 }, '/items/0/lfn'],
        ['lfn: null', '/api/v1/directories', { lfn: null }, '/items/0/lfn'],
        ['lfn: ""', '/api/v1/directories', { lfn: '' }, '/items/0/lfn'],
        ['parents: "yes"', '/api/v1/directories', { lfn: '/bad/p', parents: 'yes' }, '/items/0/parents'],
        ['size: -1', FILES, { lfn: '/bad/f', size: -1 }, '/items/0/size'],
        ['size: 1.5', FILES, { lfn: '/bad/f', size: 1.5 }, '/items/0/size'],
        ['size: "10"', FILES, { lfn: '/bad/f', size: '10' }, '/items/0/size'],
        ['size: 2^53', FILES, { lfn: '/bad/f', size: 2 ** 53 }, '/items/0/size'],
        ['checksum as a string', FILES, { lfn: '/bad/f', checksum: 'adler32:9600001' }, '/items/0/checksum'],
        ['checksum of type sha1', FILES, { lfn: '/bad/f', checksum: { type: 'sha1', value: 'ab' } }, '/items/0/checksum/type'],
        ['replicas as a string', FILES, { lfn: '/bad/f', replicas: 'srm://se/x' }, '/items/0/replicas'],
        ['guid: 7', FILES, { lfn: '/bad/f', guid: 7 }, '/items/0/guid'],
        ['follow: "false"', STAT, { lfn: '/bad', follow: 'false' }, '/items/0/follow'],
        ['recursive: 1', '/api/v1/entries/remove', { lfn: '/bad/x', recursive: 1 }, '/items/0/recursive'],
        ['a move without to', '/api/v1/entries/move', { from: '/bad/x' }, '/items/0'],
        ['a symlink without target', '/api/v1/symlinks', { lfn: '/bad/l' }, '/items/0'],
      ])('refuses an item with %s, pointing at the field', async (_what, path, item, pointer) => {
        const problem = expectProblem(await request(catalog.app).post(path).send({ items: [item] }), 400, 'InvalidArgument');
        expect(problem.detail).toContain(pointer);
        expect(problem.errors?.[0]?.path).toBe(pointer);
      });

      it('refuses an unknown field at the top level, naming it', async () => {
        const problem = expectProblem(await request(catalog.app).post(STAT).send({ items: [], verbose: true }), 400, 'InvalidArgument');
        expect(problem.detail).toContain('verbose');
      });

      it('refuses an unknown field inside an item, naming it and the item', async () => {
        const problem = expectProblem(
          await request(catalog.app).post(FILES).send({ items: [{ lfn: '/bad/u1' }, { lfn: '/bad/u2', colour: 'red' }] }),
          400,
          'InvalidArgument',
        );
        expect(problem.detail).toContain('colour');
        expect(problem.detail).toContain('/items/1');
      });

      it('refuses an unknown field in a nested replica, naming it', async () => {
        const problem = expectProblem(
          await request(catalog.app)
            .post(FILES)
            .send({ items: [{ lfn: '/bad/u3', replicas: [{ surl: 'srm://se.example.org/u3', pin: 1 }] }] }),
          400,
          'InvalidArgument',
        );
        expect(problem.detail).toContain('pin');
        expect(problem.detail).toContain('/items/0/replicas/0');
      });

      it('refuses a __proto__ field like any other unknown field', async () => {
        const problem = expectProblem(await postRaw(catalog.app, STAT, '{"items": [], "__proto__": {"admin": true}}'), 400, 'InvalidArgument');
        expect(problem.detail).toContain('__proto__');
      });

      it('refuses a file reference with both lfn and guid', async () => {
        const res = await request(catalog.app)
          .post('/api/v1/replicas/list')
          .send({ items: [{ lfn: '/bad/f', guid: GUID }] });
        const problem = expectProblem(res, 400, 'InvalidArgument');
        expect(problem.detail).toContain('/items/0');
        expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ message: expect.stringContaining('exactly one') })]));
      });

      it('refuses a file reference with neither lfn nor guid', async () => {
        expectProblem(await request(catalog.app).post('/api/v1/replicas/list').send({ items: [{}] }), 400, 'InvalidArgument');
      });

      it('refuses a replica with both lfn and guid', async () => {
        const res = await request(catalog.app)
          .post('/api/v1/replicas/add')
          .send({ items: [{ lfn: '/bad/f', guid: GUID, surl: 'srm://se.example.org/f' }] });
        expect(expectProblem(res, 400, 'InvalidArgument').detail).toMatch(/exactly one/);
      });

      it('does nothing at all when one item of the batch is malformed', async () => {
        const res = await request(catalog.app)
          .post(FILES)
          .send({ items: [{ lfn: '/bad/before-the-bad-one' }, { lfn: '/bad/bad-one', size: 'big' }] });
        expectProblem(res, 400, 'InvalidArgument');
        expect(codes(await api.stat([{ lfn: '/bad/before-the-bad-one' }, { lfn: '/bad/bad-one' }]))).toEqual(['NotExists', 'NotExists']);
      });
    });

    describe('the item limit', () => {
      it.each(BULK_ROUTES)('%s refuses one item more than the limit with 413 LimitExceeded', async (path, item) => {
        const res = await request(catalog.app).post(path).send({ items: items(MAX_ITEMS + 1, item) });
        const problem = expectProblem(res, 413, 'LimitExceeded');
        expect(problem.detail).toContain(String(MAX_ITEMS));
      });

      it.each(BULK_ROUTES)('%s takes exactly the limit', async (path, item) => {
        const results = await bulk(catalog.app, path, items(MAX_ITEMS, item));
        expect(results).toHaveLength(MAX_ITEMS);
      });

      it('counts items before looking at them', async () => {
        const res = await request(catalog.app).post(STAT).send({ items: items(MAX_ITEMS + 1, () => 5) });
        expectProblem(res, 413, 'LimitExceeded');
      });
    });

    describe('the body limit', () => {
      const padded = (bytes: number) => {
        const json = '{"items": []}';
        return json.slice(0, -1) + ' '.repeat(bytes - json.length) + json.slice(-1);
      };

      it('takes a body of exactly the limit', async () => {
        const body = padded(MAX_BODY);
        expect(Buffer.byteLength(body)).toBe(MAX_BODY);
        const res = await postRaw(catalog.app, STAT, body);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ results: [] });
      });

      it('refuses a body one byte over the limit with 413 LimitExceeded', async () => {
        const problem = expectProblem(await postRaw(catalog.app, STAT, padded(MAX_BODY + 1)), 413, 'LimitExceeded');
        expect(problem.detail).toMatch(/too large/);
      });

      it('refuses a few huge items with 413, not 400', async () => {
        const res = await request(catalog.app)
          .post(FILES)
          .send({ items: [{ lfn: `/bad/${'x'.repeat(MAX_BODY)}` }] });
        expectProblem(res, 413, 'LimitExceeded');
      });

      it('refuses a compressed body that inflates past the limit', async () => {
        const bomb = gzipSync(padded(10 * MAX_BODY));
        expect(bomb.length).toBeLessThan(MAX_BODY);
        const res = await postRaw(catalog.app, STAT, bomb).set('content-encoding', 'gzip');
        expectProblem(res, 413, 'LimitExceeded');
      });

      it('refuses a corrupt compressed body with 400 InvalidArgument', async () => {
        const corrupt = gzipSync(JSON.stringify({ items: [{ lfn: '/bad' }] }));
        corrupt.fill(0xff, 10, 20);
        const res = await postRaw(catalog.app, STAT, corrupt).set('content-encoding', 'gzip');
        expectProblem(res, 400, 'InvalidArgument');
      });

      it('takes a compressed body that inflates within the limit', async () => {
        const res = await postRaw(catalog.app, STAT, gzipSync(JSON.stringify({ items: [{ lfn: '/bad' }] }))).set('content-encoding', 'gzip');
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ results: [{ ok: true, entry: { lfn: '/bad', kind: 'directory' } }] });
      });
    });

    describe('content types', () => {
      it.each([
        ['text/plain', 'text/plain'],
        ['a form', 'application/x-www-form-urlencoded'],
        ['XML', 'application/xml'],
        ['a JSON look-alike', 'application/jsonx'],
      ])('refuses %s with 415', async (_what, type) => {
        const problem = expectProblem(await postRaw(catalog.app, STAT, '{"items": []}', type), 415, 'InvalidArgument');
        expect(problem.detail).toMatch(/application\/json/);
      });

      it('refuses a body without a content type with 415', async () => {
        // supertest makes a string body a form unless told otherwise: unset the type after send.
        const res = await request(catalog.app).post(STAT).send('{"items": []}').unset('content-type');
        expectProblem(res, 415, 'InvalidArgument');
      });

      it('refuses a request with no body and no content type with 415', async () => {
        expectProblem(await request(catalog.app).post(STAT), 415, 'InvalidArgument');
      });

      it('refuses an oversized body of the wrong type with 415 without reading it', async () => {
        expectProblem(await postRaw(catalog.app, STAT, 'x'.repeat(2 * MAX_BODY), 'text/plain'), 415, 'InvalidArgument');
      });

      it('refuses a charset other than UTF-8, and an unknown content encoding, with 415', async () => {
        expectProblem(await postRaw(catalog.app, STAT, '{"items": []}', 'application/json; charset=latin1'), 415, 'InvalidArgument');
        expectProblem(await postRaw(catalog.app, STAT, '{"items": []}').set('content-encoding', 'compress'), 415, 'InvalidArgument');
      });

      it.each(['application/json; charset=utf-8', 'application/json;charset=UTF-8', 'Application/JSON', 'application/problem+json'])(
        'accepts %s',
        async (type) => {
          const res = await postRaw(catalog.app, STAT, JSON.stringify({ items: [{ lfn: '/bad' }] }), type);
          expect(res.status).toBe(200);
          expectContract('EntryResults', res.body);
        },
      );
    });

    describe('routes and methods', () => {
      it.each([
        ['GET', '/api/v1/nope'],
        ['POST', '/api/v1/nope'],
        ['POST', '/api/v2/files'],
        ['GET', '/api/v1/directories/entries/extra'],
      ])('answers %s %s with 404 NotExists', async (method, path) => {
        const res = await request(catalog.app)[method === 'GET' ? 'get' : 'post'](path);
        const problem = expectProblem(res, 404, 'NotExists');
        expect(problem.detail).toContain(path);
        expect(problem.instance).toBe(path);
      });

      it.each(BULK_PATHS)('answers GET %s with 405 and allow: POST', async (path) => {
        const res = await request(catalog.app).get(path);
        expectProblem(res, 405, 'InvalidArgument');
        expect(res.headers.allow).toBe('POST');
      });

      it('answers a path parameter that is not valid percent-encoding with 400, whatever the method', async () => {
        for (const method of ['get', 'options', 'delete'] as const) {
          const res = await request(catalog.app)[method]('/api/v1/schemas/%ff');
          expect(res.status).toBe(400);
          if (method !== 'options') expectProblem(res, 400, 'InvalidArgument');
        }
      });

      it('answers POST and DELETE on a GET-only path with 405 and allow: GET', async () => {
        for (const res of [await request(catalog.app).post(LIST).send({ items: [] }), await request(catalog.app).delete('/api/v1/replicas')]) {
          expectProblem(res, 405, 'InvalidArgument');
          expect(res.headers.allow).toBe('GET');
        }
      });

      it('answers PUT, PATCH and DELETE on a POST-only path with 405', async () => {
        for (const res of [
          await request(catalog.app).put(FILES).send({ items: [] }),
          await request(catalog.app).patch(FILES).send({ items: [] }),
          await request(catalog.app).delete(FILES),
        ]) {
          expectProblem(res, 405, 'InvalidArgument');
          expect(res.headers.allow).toBe('POST');
        }
      });
    });
  });

  describe('query parameters of listings', () => {
    let catalog: TestCatalog;
    let api: ReturnType<typeof catalogApi>;

    beforeAll(async () => {
      catalog = await startTestCatalog();
      api = catalogApi(catalog.app);
      await api.mkdir('/q');
      await api.createFiles([
        { lfn: '/q/a', replicas: [{ surl: 'srm://se1.example.org/q/a' }] },
        { lfn: '/q/b', replicas: [{ surl: 'srm://se1.example.org/q/b' }] },
        { lfn: '/q/c' },
      ]);
    });
    afterAll(() => catalog.close());

    it('lists a directory when the query is right', async () => {
      const res = await request(catalog.app).get(LIST).query({ lfn: '/q', limit: 2 });
      expect(res.status).toBe(200);
      expectContract('EntryPage', res.body);
    });

    it.each<[string, Record<string, string>, string]>([
      ['a missing lfn', {}, 'lfn'],
      ['an empty lfn', { lfn: '' }, 'lfn'],
      ['a non-numeric limit', { lfn: '/q', limit: 'abc' }, 'limit'],
      ['a fractional limit', { lfn: '/q', limit: '1.5' }, 'limit'],
      ['a negative limit', { lfn: '/q', limit: '-1' }, 'limit'],
      ['a limit above the maximum', { lfn: '/q', limit: String(TEST_LIMITS.maxPageSize + 1) }, 'limit'],
      ['an unknown parameter', { lfn: '/q', recursive: 'true' }, 'recursive'],
      ['an empty cursor', { lfn: '/q', cursor: '' }, 'cursor'],
      ['a relative lfn', { lfn: 'q' }, 'absolute'],
    ])('refuses %s with 400 InvalidArgument', async (_what, query, mentioned) => {
      const problem = expectProblem(await request(catalog.app).get(LIST).query(query), 400, 'InvalidArgument');
      expect(problem.detail).toContain(mentioned);
    });

    it('refuses a repeated lfn', async () => {
      expectProblem(await request(catalog.app).get(`${LIST}?lfn=/q&lfn=/q/a`), 400, 'InvalidArgument');
    });

    it('refuses a storage element listing without se, or with an unknown parameter', async () => {
      expect(expectProblem(await request(catalog.app).get('/api/v1/replicas'), 400, 'InvalidArgument').detail).toContain('se');
      expectProblem(await request(catalog.app).get('/api/v1/replicas').query({ se: 'se1.example.org', lfn: '/q' }), 400, 'InvalidArgument');
    });

    it('refuses a storage element name with a NUL byte with 400, not a database error', async () => {
      const res = await request(catalog.app).get('/api/v1/replicas').query({ se: 'se1.example.org\u0000' });
      expectProblem(res, 400, 'InvalidArgument');
    });

    it('refuses a forged directory cursor carrying a NUL byte with 400, not a database error', async () => {
      // Cursors are sealed: one written by hand in the readable form they once had does not open.
      const forged = Buffer.from(JSON.stringify({ s: '1', a: 'a\u0000' }), 'utf8').toString('base64url');
      const res = await request(catalog.app).get(LIST).query({ lfn: '/q', cursor: forged });
      expect(expectProblem(res, 400, 'InvalidArgument').detail).toBe('invalid cursor');
    });

    it('refuses a forged storage element cursor carrying a NUL byte with 400, not a database error', async () => {
      const forged = Buffer.from(JSON.stringify({ s: 'se:se1.example.org', a: 'srm://se1.example.org/\u0000' }), 'utf8').toString('base64url');
      const res = await request(catalog.app).get('/api/v1/replicas').query({ se: 'se1.example.org', cursor: forged });
      expect(expectProblem(res, 400, 'InvalidArgument').detail).toBe('invalid cursor');
    });
  });

  describe('with the default limits', () => {
    let catalog: TestCatalog;

    beforeAll(async () => {
      catalog = await startTestCatalog();
    });
    afterAll(() => catalog.close());

    it('refuses 10,001 items with 413 LimitExceeded', async () => {
      expect(TEST_LIMITS.maxItems).toBe(10_000);
      const res = await request(catalog.app).post(STAT).send({ items: items(10_001, () => ({ lfn: '/x' })) });
      const problem = expectProblem(res, 413, 'LimitExceeded');
      expect(problem.detail).toMatch(/10001.*10000/);
    });

    it('takes 10,000 items', async () => {
      const results = await bulk(catalog.app, STAT, items(10_000, () => ({ lfn: '/x' })));
      expect(new Set(codes(results))).toEqual(new Set(['NotExists']));
    });

    describe('service endpoints', () => {
      it('/healthz answers 200 up', async () => {
        const res = await request(catalog.app).get('/healthz');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ status: 'up' });
        expectContract('Status', res.body);
      });

      it('/readyz answers 200 ready, naming the database', async () => {
        const res = await request(catalog.app).get('/readyz');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ status: 'ready', database: catalog.engine });
        expectContract('Status', res.body);
      });

      it('/openapi.json answers the OpenAPI 3.1 document', async () => {
        const res = await request(catalog.app).get('/openapi.json');
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body).toMatchObject({ openapi: '3.1.0', info: { title: 'replicat' } });
        expect(Object.keys(res.body.paths as object)).toEqual(expect.arrayContaining([...BULK_PATHS, LIST]));
      });
    });

    describe('request ids', () => {
      it.each([
        ['a simple id', 'req-42'],
        ['an id with dots, colons and underscores', 'client.host:1234_abc-DEF'],
        ['an id of 128 characters', 'a'.repeat(128)],
      ])('echoes %s', async (_what, id) => {
        const res = await request(catalog.app).get('/healthz').set('x-request-id', id);
        expect(res.headers['x-request-id']).toBe(id);
      });

      it('echoes the id on a problem too, in the header and the body', async () => {
        const res = await request(catalog.app).post(STAT).set('x-request-id', 'trace-me-1').send({});
        expect(res.headers['x-request-id']).toBe('trace-me-1');
        expect(expectProblem(res, 400, 'InvalidArgument').requestId).toBe('trace-me-1');
      });

      it.each([
        ['an id with spaces', 'evil id with spaces'],
        ['an id of 300 characters', 'a'.repeat(300)],
        ['an id of 129 characters', 'b'.repeat(129)],
        ['an id with a quote and a semicolon', 'x";drop'],
        ['an id with a slash', '../../etc/passwd'],
        ['an empty id', ''],
      ])('replaces %s with a fresh UUID', async (_what, id) => {
        const res = await request(catalog.app).get('/healthz').set('x-request-id', id);
        expect(res.headers['x-request-id']).not.toBe(id);
        expect(res.headers['x-request-id']).toMatch(UUID);
      });

      it('makes up an id when the client sends none', async () => {
        const res = await request(catalog.app).get('/api/v1/nope');
        expect(res.headers['x-request-id']).toMatch(UUID);
        expect(expectProblem(res, 404, 'NotExists').requestId).toBe(res.headers['x-request-id']);
      });
    });

    describe('identity', () => {
      const HOSTILE_HEADERS: Readonly<Record<string, string>> = {
        'x-remote-user': '/DC=org/DC=evil/CN=Root',
        'remote-user': 'root',
        'x-forwarded-user': 'root',
        'ssl-client-s-dn': '/DC=org/DC=evil/CN=Root',
        'ssl-client-verify': 'SUCCESS',
        'x-ssl-client-dn': '/DC=org/DC=evil/CN=Root',
        authorization: `Basic ${Buffer.from('root:root').toString('base64')}`,
      };

      it('records the test identity as owner whatever identity headers say', async () => {
        const res = await request(catalog.app)
          .post(FILES)
          .set(HOSTILE_HEADERS)
          .send({ items: [{ lfn: '/owned-by-me' }] });
        expect(res.status).toBe(200);
        expectContract('EntryResults', res.body);
        expect(res.body).toMatchObject({ results: [{ ok: true, entry: { owner: TEST_IDENTITY.dn, group: TEST_IDENTITY.group } }] });
        const [stat] = await catalogApi(catalog.app).stat([{ lfn: '/owned-by-me' }]);
        expect(stat).toMatchObject({ ok: true, entry: { owner: TEST_IDENTITY.dn } });
      });

      it('the service’s own local identity ignores those headers too', async () => {
        const local = { dn: '/O=replicat/CN=local', group: 'locals' };
        const app = createRestApp({
          database: catalog.database,
          limits: TEST_LIMITS,
          identify: localIdentity(local),
          logger: pino({ level: 'silent' }),
        });
        const res = await request(app)
          .post('/api/v1/directories')
          .set(HOSTILE_HEADERS)
          .send({ items: [{ lfn: '/owned-by-local' }] });
        expect(res.status).toBe(200);
        expectContract('EntryResults', res.body);
        expect(res.body).toMatchObject({ results: [{ ok: true, entry: { owner: local.dn, group: local.group } }] });
      });
    });
  });

  describe('when the database is gone', () => {
    it('/readyz answers 503 Unavailable while /healthz still answers 200', async () => {
      const catalog = await startTestCatalog();
      await catalog.close();
      expectProblem(await request(catalog.app).get('/readyz'), 503, 'Unavailable');
      expect((await request(catalog.app).get('/healthz')).status).toBe(200);
    });
  });
});
