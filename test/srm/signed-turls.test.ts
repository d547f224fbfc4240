import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { createSrmApp } from '../../src/srm/srm-app';
import { SrmService, type RequestStatus } from '../../src/srm/srm-service';
import { createStorageApp } from '../../src/srm/storage-app';
import { TurlSigner } from '../../src/srm/turl-signer';
import { FakeCatalog } from './fake-catalog';

const SECRET = 'a-test-secret-of-more-than-thirty-two-characters';
const silent = pino({ level: 'silent' });

/** A TURL's path with its query (the signature), as a client sends it back. */
function turlPath(turl: string): string {
  const url = new URL(turl);
  return `${url.pathname}${url.search}`;
}

/** The same TURL path with one query parameter replaced (or removed, with undefined). */
function withParameter(path: string, name: string, value: string | undefined): string {
  const url = new URL(path, 'http://x');
  if (value === undefined) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  return `${url.pathname}${url.search}`;
}

/** GETs a path and answers the body as text (the data routes answer application/octet-stream). */
async function fetchText(app: Parameters<typeof request>[0], path: string): Promise<string> {
  const res = await request(app)
    .get(path)
    .buffer(true)
    .parse((stream, done) => {
      const parts: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => parts.push(chunk));
      stream.on('end', () => done(null, Buffer.concat(parts)));
    });
  expect(res.status).toBe(200);
  return (res.body as Buffer).toString('utf8');
}

describe('signed TURLs', () => {
  let dir: string;
  let clock: number;
  let srm: ReturnType<typeof createSrmApp>;
  /** A storage process's app on the same directories and secret: no request state, only signatures. */
  let storage: ReturnType<typeof createStorageApp>;

  const call = (op: string, body: unknown) => request(srm).post(`/srm/v2/${op}`).send(body as object);
  const prepareToPut = async (surl: string, lfn: string): Promise<RequestStatus> => {
    const prepared = (await call('prepare-to-put', { files: [{ surl, lfn }] })).body as RequestStatus;
    expect(prepared.files[0]).toMatchObject({ status: 'SRM_SPACE_AVAILABLE' });
    return prepared;
  };
  const putFile = async (surl: string, bytes: string): Promise<void> => {
    const prepared = await prepareToPut(surl, `/grid${new URL(surl).pathname}`);
    expect((await request(storage).put(turlPath(prepared.files[0]!.turl!)).send(bytes)).status).toBe(201);
    expect(((await call('put-done', { token: prepared.token })).body as RequestStatus).status).toBe('SRM_SUCCESS');
  };
  const prepareToGet = async (surl: string): Promise<RequestStatus> => {
    const got = (await call('prepare-to-get', { surls: [surl], pinLifetimeSeconds: 60 })).body as RequestStatus;
    expect(got.files[0]).toMatchObject({ status: 'SRM_FILE_PINNED' });
    return got;
  };
  const expectRefused = (res: request.Response, explanation: RegExp) => {
    expect([res.status, res.body]).toEqual([403, { status: 'SRM_AUTHORIZATION_FAILURE', explanation: expect.stringMatching(explanation) }]);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'srm-signed-'));
    clock = 1_700_000_000_000;
    const catalog = new FakeCatalog();
    catalog.ses.push(
      ...['se1', 'se2'].map((name) => ({
        name,
        host: `${name}.example.org`,
        surlPrefixes: [],
        status: 'online' as const,
        nearline: false,
        protocols: [
          { scheme: 'https', turlTemplate: `https://storage.test:8447/data/${name}{path}` },
          { scheme: 'root', turlTemplate: `root://xrootd.test/${name}{path}` },
        ],
      })),
    );
    const signer = new TurlSigner(SECRET, () => clock);
    const ses = new Map(['se1', 'se2'].map((n) => [n, join(dir, n)]));
    const service = new SrmService(
      { ses, stagingDelayMs: 0, pinLifetimeMs: 600_000, maxPinLifetimeMs: 3_600_000, putLifetimeMs: 300_000, requestRetentionMs: 3_600_000, now: () => clock, signer },
      catalog,
    );
    srm = createSrmApp({ service, identify: () => ({ id: 'alice' }), logger: silent });
    // The storage process serves se1 only; se2 belongs to another one.
    storage = createStorageApp({ ses: new Map([['se1', join(dir, 'se1')]]), signer: new TurlSigner(SECRET, () => clock), logger: silent });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands out TURLs signed over access, SE, path, expiry and request token; other protocols unsigned', async () => {
    const prepared = await prepareToPut('srm://se1.example.org/vo/f', '/grid/vo/f');
    const turl = new URL(prepared.files[0]!.turl!);
    expect(turl.origin + turl.pathname).toBe('https://storage.test:8447/data/se1/vo/f');
    expect([...turl.searchParams.keys()]).toEqual(['token', 'expires', 'signature']);
    expect(turl.searchParams.get('token')).toBe(prepared.token);
    expect(Number(turl.searchParams.get('expires'))).toBe((clock + 300_000) / 1000);
    const root = (await call('prepare-to-put', { files: [{ surl: 'srm://se1.example.org/vo/g', lfn: '/grid/vo/g' }], protocols: ['root'] })).body as RequestStatus;
    expect(root.files[0]!.turl).toBe('root://xrootd.test/se1/vo/g');
  });

  it('refuses a TURL whose path, expiry, token or signature was changed, or that has none, with 403', async () => {
    await putFile('srm://se1.example.org/vo/f', 'the bytes');
    await putFile('srm://se1.example.org/vo/other', 'other bytes');
    const path = turlPath((await prepareToGet('srm://se1.example.org/vo/f')).files[0]!.turl!);
    const otherToken = (await prepareToGet('srm://se1.example.org/vo/other')).token;
    const expires = new URL(path, 'http://x').searchParams.get('expires')!;
    const signature = new URL(path, 'http://x').searchParams.get('signature')!;
    for (const app of [srm, storage]) {
      expect(await fetchText(app, path)).toBe('the bytes');
      expectRefused(await request(app).get(path.replace('/vo/f?', '/vo/other?')), /does not match/);
      expectRefused(await request(app).get(withParameter(path, 'expires', String(Number(expires) + 3600))), /does not match/);
      expectRefused(await request(app).get(withParameter(path, 'token', otherToken)), /does not match/);
      const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
      expectRefused(await request(app).get(withParameter(path, 'signature', flipped)), /does not match/);
      expectRefused(await request(app).get(withParameter(path, 'signature', undefined)), /not signed/);
      expectRefused(await request(app).get(withParameter(path, 'signature', 'short')), /malformed/);
      expectRefused(await request(app).get(path.split('?')[0]!), /not signed/);
      expect((await request(app).head(withParameter(path, 'expires', undefined))).status).toBe(403);
    }
    const stranger = createStorageApp({ ses: new Map([['se1', join(dir, 'se1')]]), signer: new TurlSigner('another-secret-of-more-than-thirty-two-chars'), logger: silent });
    expectRefused(await request(stranger).get(path), /does not match/);
  });

  it("refuses a get's TURL for writing and a put's TURL for reading", async () => {
    await putFile('srm://se1.example.org/vo/f', 'the bytes');
    const get = turlPath((await prepareToGet('srm://se1.example.org/vo/f')).files[0]!.turl!);
    const put = turlPath((await prepareToPut('srm://se1.example.org/vo/new', '/grid/vo/new')).files[0]!.turl!);
    for (const app of [srm, storage]) {
      expectRefused(await request(app).put(get).send('overwritten'), /not for writing/);
      expectRefused(await request(app).get(put), /not for reading/);
      expect((await request(app).head(put)).status).toBe(403);
    }
    expect(readFileSync(join(dir, 'se1', 'vo', 'f'), 'utf8')).toBe('the bytes');
    expect(existsSync(join(dir, 'se1', 'vo', 'new'))).toBe(false);
  });

  it('refuses an expired TURL, even where the request state is not known', async () => {
    await putFile('srm://se1.example.org/vo/f', 'the bytes');
    const path = turlPath((await prepareToGet('srm://se1.example.org/vo/f')).files[0]!.turl!);
    clock += 59_000;
    expect((await request(storage).get(path)).status).toBe(200);
    clock += 1_000;
    expectRefused(await request(storage).get(path), /expired/);
    expectRefused(await request(srm).get(path), /expired/);
  });

  it('in the SRM, a release or abort ends TURLs at once; a storage process honours them only at expiry', async () => {
    await putFile('srm://se1.example.org/vo/f', 'the bytes');
    const got = await prepareToGet('srm://se1.example.org/vo/f');
    const path = turlPath(got.files[0]!.turl!);
    // A second pin of the same file does not keep the released one's TURL alive: the TURL names its request.
    await prepareToGet('srm://se1.example.org/vo/f');
    await call('release', { token: got.token });
    expectRefused(await request(srm).get(path), /no longer pinned/);
    expect((await request(storage).get(path)).status).toBe(200);
    clock += 60_000;
    expectRefused(await request(storage).get(path), /expired/);

    const aborted = await prepareToPut('srm://se1.example.org/vo/aborted', '/grid/vo/aborted');
    await call('abort', { token: aborted.token });
    expectRefused(await request(srm).put(turlPath(aborted.files[0]!.turl!)).send('late'), /no longer takes bytes/);
  });

  it("writes a put's file once, and serves only the SEs it has directories for", async () => {
    const prepared = await prepareToPut('srm://se1.example.org/vo/once', '/grid/vo/once');
    const path = turlPath(prepared.files[0]!.turl!);
    expect((await request(storage).put(path).send('first')).status).toBe(201);
    const again = await request(storage).put(path).send('second');
    expect([again.status, again.body.status]).toEqual([409, 'SRM_DUPLICATION_ERROR']);
    expect(readFileSync(join(dir, 'se1', 'vo', 'once'), 'utf8')).toBe('first');

    const elsewhere = await prepareToPut('srm://se2.example.org/vo/f', '/grid/se2/f');
    const res = await request(storage).put(turlPath(elsewhere.files[0]!.turl!)).send('x');
    expect([res.status, res.body.status]).toEqual([404, 'SRM_INVALID_PATH']);
  });

  it('keeps even a validly signed path inside the SE (defence in depth against a leaked secret)', async () => {
    const forged = new TurlSigner(SECRET, () => clock).sign('https://storage.test/data/se1/x/../../escape', {
      access: 'write',
      se: 'se1',
      path: '/x/../../escape',
      expiresAt: clock + 60_000,
      token: '0'.repeat(32),
    });
    const raw = `/data/se1/x/%2e%2e/%2e%2e/escape${new URL(forged).search}`;
    const res = await request(storage).put(raw).send('x');
    expect([res.status, res.body.status]).toEqual([400, 'SRM_INVALID_PATH']);
    expect(existsSync(join(dir, 'escape'))).toBe(false);
  });

  it('percent-encodes names with spaces, # and ? so the TURL leads to the same file', async () => {
    const surl = 'srm://se1.example.org/vo/a%20b%23c%3Fd';
    await putFile(surl, 'odd name');
    expect(readFileSync(join(dir, 'se1', 'vo', 'a b#c?d'), 'utf8')).toBe('odd name');
    const turl = (await prepareToGet(surl)).files[0]!.turl!;
    expect(turl).toMatch(/^https:\/\/storage\.test:8447\/data\/se1\/vo\/a%20b%23c%3Fd\?token=/);
    expect(await fetchText(storage, turlPath(turl))).toBe('odd name');
  });
});
