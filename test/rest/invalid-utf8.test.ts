import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { expectContract, startTestCatalog, type TestCatalog } from '../support/test-catalog';

let catalog: TestCatalog;
beforeAll(async () => {
  catalog = await startTestCatalog();
});
afterAll(async () => catalog.close());

/** `{"items":[{"lfn":"/bad/é"}]}` with the é's second byte gone: Latin-1 bytes where UTF-8 is due. */
const broken = (lfn = '/bad/') => Buffer.concat([Buffer.from(`{"items":[{"lfn":"${lfn}`), Buffer.from([0xc3, 0x22]), Buffer.from('}]}')]);

function post(path: string, body: Buffer, headers: Record<string, string> = {}): request.Test {
  const test = request(catalog.app).post(path).set('content-type', 'application/json');
  for (const [k, v] of Object.entries(headers)) void test.set(k, v);
  return test.serialize(() => body as unknown as string).send(body as unknown as string);
}

function expectNotUtf8(res: request.Response): void {
  expect({ status: res.status, body: res.body as unknown }).toMatchObject({
    status: 400,
    body: { status: 400, code: 'InvalidArgument', detail: 'the request body is not valid UTF-8' },
  });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expectContract('Problem', res.body);
}

describe('a body that is not UTF-8 is refused, never read with U+FFFD in place of its bytes', () => {
  it('a JSON body received in full at once', async () => {
    expectNotUtf8(await post('/api/v1/directories', broken()));
  });

  it('a compressed JSON body', async () => {
    expectNotUtf8(await post('/api/v1/directories', gzipSync(broken()), { 'content-encoding': 'gzip' }));
  });

  it('a lone surrogate half or an overlong form as well', async () => {
    for (const bytes of [[0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
      const body = Buffer.concat([Buffer.from('{"items":[{"lfn":"/bad/'), Buffer.from(bytes), Buffer.from('"}]}')]);
      expectNotUtf8(await post('/api/v1/entries/stat', body));
    }
  });

  it('and nothing was created under a replaced name', async () => {
    await post('/api/v1/directories', broken('/bad2/'));
    const res = await request(catalog.app).post('/api/v1/entries/stat').send({ items: [{ lfn: '/bad2/\ufffd' }] });
    expect(res.body).toMatchObject({ results: [{ ok: false, error: { code: 'NotExists' } }] });
  });

  it('an NDJSON line: that item fails, the others are answered', async () => {
    const body = Buffer.concat([
      Buffer.from('{"lfn":"/"}\n{"lfn":"/x'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}\n{"lfn":"/"}\n'),
    ]);
    const res = await request(catalog.app)
      .post('/api/v1/replicas/list')
      .set('content-type', 'application/x-ndjson')
      .serialize(() => body as unknown as string)
      .send(body as unknown as string);
    expect(res.status).toBe(200);
    const results = res.text.trimEnd().split('\n').map((line) => JSON.parse(line) as { ok: boolean; error?: { code: string; message: string } });
    expect(results).toHaveLength(3);
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'InvalidArgument', message: 'item 2 is not valid UTF-8' } });
    expect(results[0]!.error?.message).not.toMatch(/UTF-8/);
    expect(results[2]!.error?.message).not.toMatch(/UTF-8/);
  });
});
