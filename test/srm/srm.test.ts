import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { Adler32 } from '@replicat/sdk';
import { createSrmApp } from '../../src/srm/srm-app';
import type { RequestStatus } from '../../src/srm/srm-service';
import { FakeCatalog } from './fake-catalog';
import { testSrmService } from './test-srm-service';

const SE = (name: string, extra: Partial<FakeCatalog['ses'][number]> = {}) => ({
  name,
  host: `${name}.example.org`,
  surlPrefixes: [],
  status: 'online' as const,
  nearline: false,
  protocols: [{ scheme: 'http', turlTemplate: `http://srm.test/data/${name}{path}` }],
  ...extra,
});

describe('the mock SRM', () => {
  let dir: string;
  let catalog: FakeCatalog;
  let clock: number;
  let app: ReturnType<typeof createSrmApp>;

  const as = (who: string) => ({
    post: (op: string, body: unknown) => request(app).post(`/srm/v2/${op}`).set('x-caller', who).send(body as object),
    status: (token: string) => request(app).get(`/srm/v2/requests/${token}`).set('x-caller', who),
  });
  const alice = () => as('alice');
  /** A TURL's path with its query: the signature the data routes check. */
  const turlPath = (turl: string) => {
    const url = new URL(turl);
    return `${url.pathname}${url.search}`;
  };
  const put = async (surl: string, lfn: string, bytes: Buffer): Promise<RequestStatus> => {
    const prepared = (await alice().post('prepare-to-put', { files: [{ surl, lfn }] })).body as RequestStatus;
    expect(prepared.files[0]).toMatchObject({ status: 'SRM_SPACE_AVAILABLE' });
    expect((await request(app).put(turlPath(prepared.files[0]!.turl!)).send(bytes)).status).toBe(201);
    return (await alice().post('put-done', { token: prepared.token })).body as RequestStatus;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'srm-test-'));
    catalog = new FakeCatalog();
    catalog.ses.push(
      SE('se1', { surlPrefixes: ['srm://se1.example.org/dpm/'] }),
      SE('tape', { nearline: true }),
      SE('ro', { status: 'readonly' }),
      SE('down', { status: 'offline' }),
      SE('foreign'),
    );
    clock = 1_000_000;
    const service = testSrmService(new Map(['se1', 'tape', 'ro', 'down'].map((n) => [n, join(dir, n)])), catalog, () => clock);
    app = createSrmApp({ service, identify: (req) => ({ id: req.get('x-caller') ?? 'alice' }), logger: pino({ level: 'silent' }) });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers ping', async () => {
    expect((await alice().post('ping', {})).body).toMatchObject({ status: 'SRM_SUCCESS', versionInfo: 'v2.2', ses: ['se1', 'tape', 'ro', 'down'] });
  });

  it('puts: a TURL to upload to, then putDone computes size and adler32 and registers the replica', async () => {
    const bytes = Buffer.from('hello grid\n'.repeat(1000));
    const done = await put('srm://se1.example.org/dpm/vo/f1', '/grid/vo/f1', bytes);
    const adler = new Adler32().update(bytes).hex();
    expect(done).toMatchObject({ status: 'SRM_SUCCESS', files: [{ status: 'SRM_SUCCESS', size: bytes.length, checksum: { type: 'adler32', value: adler } }] });
    expect(catalog.replicas.get('srm://se1.example.org/dpm/vo/f1')).toMatchObject({ lfn: '/grid/vo/f1', size: bytes.length, adler32: adler });
    expect(readFileSync(join(dir, 'se1', 'dpm', 'vo', 'f1'))).toEqual(bytes);
    // The TURL accepted bytes while the space was open only.
    expect((await request(app).put('/data/se1/dpm/vo/f1').send('again')).status).toBe(403);
  });

  it('gets: pinned TURLs serve the bytes, with ranges, until released', async () => {
    const bytes = Buffer.from('0123456789abcdef');
    await put('srm://se1.example.org/dpm/vo/g', '/grid/vo/g', bytes);
    const got = (await alice().post('prepare-to-get', { surls: ['srm://se1.example.org/dpm/vo/g'], protocols: ['gsiftp', 'http'] })).body as RequestStatus;
    expect(got).toMatchObject({ status: 'SRM_SUCCESS', files: [{ status: 'SRM_FILE_PINNED', turl: expect.stringMatching(/^http:\/\/srm\.test\/data\/se1\/dpm\/vo\/g\?token=/), remainingLifetime: 600 }] });
    const path = turlPath(got.files[0]!.turl!);
    const whole = await request(app).get(path).buffer(true).parse((res, cb) => { const parts: Buffer[] = []; res.on('data', (c: Buffer) => parts.push(c)); res.on('end', () => cb(null, Buffer.concat(parts))); });
    expect(whole.status).toBe(200);
    expect(whole.body).toEqual(bytes);
    const part = await request(app).get(path).set('range', 'bytes=4-7');
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 4-7/16');
    expect(Buffer.from(part.body as Buffer).toString()).toBe('4567');
    expect((await request(app).get(path).set('range', 'bytes=-3')).headers['content-range']).toBe('bytes 13-15/16');
    expect((await request(app).get(path).set('range', 'bytes=99-')).status).toBe(416);
    expect((await request(app).head(path)).headers['content-length']).toBe('16');
    const released = (await alice().post('release', { token: got.token })).body as RequestStatus;
    expect(released.files[0]).toMatchObject({ status: 'SRM_RELEASED' });
    expect((await request(app).get(path)).status).toBe(403);
  });

  it('asks the catalog once per SRM request, whatever the number of files', async () => {
    const prepared = (await alice().post('prepare-to-put', { files: [0, 1, 2, 3].map((i) => ({ surl: `srm://se1.example.org/dpm/bulk/${i}`, lfn: `/grid/bulk/${i}` })) })).body as RequestStatus;
    for (const file of prepared.files) expect((await request(app).put(turlPath(file.turl!)).send(`bytes of ${file.surl}`)).status).toBe(201);
    catalog.calls.length = 0;
    expect((await alice().post('put-done', { token: prepared.token })).body).toMatchObject({ status: 'SRM_SUCCESS' });
    const surls = prepared.files.map((f) => f.surl);
    expect((await alice().post('prepare-to-get', { surls })).body).toMatchObject({ status: 'SRM_SUCCESS' });
    expect((await alice().post('ls', { surls })).body).toMatchObject({ status: 'SRM_SUCCESS' });
    expect((await alice().post('rm', { surls })).body).toMatchObject({ status: 'SRM_SUCCESS' });
    expect(catalog.calls).toEqual([
      { op: 'registerReplicas', items: 4 },
      { op: 'filesOfReplicas', items: 4 },
      { op: 'filesOfReplicas', items: 4 },
      { op: 'unregisterReplicas', items: 4 },
    ]);
  });

  it('stages nearline files after a delay, and pins expire', async () => {
    await put('srm://tape.example.org/vo/t', '/grid/vo/t', Buffer.from('tape bytes'));
    const queued = (await alice().post('prepare-to-get', { surls: ['srm://tape.example.org/vo/t'], pinLifetimeSeconds: 60 })).body as RequestStatus;
    expect(queued).toMatchObject({ status: 'SRM_REQUEST_QUEUED', files: [{ status: 'SRM_REQUEST_QUEUED', estimatedWaitTime: 30 }] });
    expect(queued.files[0]!.turl).toBeUndefined();
    expect((await request(app).get('/data/tape/vo/t')).status).toBe(403);
    clock += 29_000;
    expect(((await alice().status(queued.token)).body as RequestStatus).files[0]).toMatchObject({ status: 'SRM_REQUEST_QUEUED', estimatedWaitTime: 1 });
    clock += 1_000;
    const staged = (await alice().status(queued.token)).body as RequestStatus;
    expect(staged).toMatchObject({ status: 'SRM_SUCCESS', files: [{ status: 'SRM_FILE_PINNED', turl: expect.stringMatching(/^http:\/\/srm\.test\/data\/tape\/vo\/t\?/), remainingLifetime: 60 }] });
    const turl = turlPath(staged.files[0]!.turl!);
    expect((await request(app).get(turl)).status).toBe(200);
    clock += 60_000;
    expect(((await alice().status(queued.token)).body as RequestStatus).files[0]).toMatchObject({ status: 'SRM_FILE_LIFETIME_EXPIRED' });
    expect((await request(app).get(turl)).status).toBe(403);
  });

  it('refuses SURLs of SEs it does not serve, paths that climb out, and symlinks that lead out', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'srm-outside-'));
    try {
      writeFileSync(join(outside, 'secret'), 'secret');
      mkdirSync(join(dir, 'se1', 'dpm'), { recursive: true });
      symlinkSync(join(outside, 'secret'), join(dir, 'se1', 'dpm', 'evil'));
      symlinkSync(outside, join(dir, 'se1', 'dpm', 'out'));
      for (const surl of ['srm://se1.example.org/dpm/evil', 'srm://se1.example.org/dpm/out/secret']) {
        catalog.replicas.set(surl, { guid: 'g', lfn: '/x', size: 6, adler32: null });
      }
      const got = (await alice().post('prepare-to-get', {
        surls: [
          'srm://foreign.example.org/vo/f',
          'srm://nowhere.example.org/vo/f',
          'srm://se1.example.org:8446/srm/managerv2?SFN=/dpm/../../../etc/passwd',
          'srm://se1.example.org/dpm/evil',
          'srm://se1.example.org/dpm/out/secret',
          'not a surl',
        ],
      })).body as RequestStatus;
      expect(got.status).toBe('SRM_FAILURE');
      expect(got.files.map((f) => f.status)).toEqual(Array(6).fill('SRM_INVALID_PATH'));
      expect(got.files[0]!.explanation).toContain('does not serve');
      // Writing through a symlinked directory is refused too, and nothing lands outside.
      const prepared = (await alice().post('prepare-to-put', { files: [{ surl: 'srm://se1.example.org/dpm/out/new', lfn: '/x/new' }] })).body as RequestStatus;
      const res = await request(app).put(turlPath(prepared.files[0]!.turl!)).send('x');
      expect(res.status).toBe(400);
      expect(existsSync(join(outside, 'new'))).toBe(false);
      // Nor are directories made through it on the way to a deeper file.
      const deeper = (await alice().post('prepare-to-put', { files: [{ surl: 'srm://se1.example.org/dpm/out/sub/new', lfn: '/x/sub/new' }] })).body as RequestStatus;
      expect((await request(app).put(turlPath(deeper.files[0]!.turl!)).send('x')).status).toBe(400);
      expect(existsSync(join(outside, 'sub'))).toBe(false);
      // The data endpoint confines raw paths the same way.
      for (const path of ['/data/se1/dpm/%2e%2e/%2e%2e/x', '/data/se1/dpm/../../x', '/data/nope/x']) {
        expect((await request(app).get(path)).status).toBeGreaterThanOrEqual(400);
      }
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('refuses puts on readonly SEs, duplicates, busy SURLs; putDone without bytes; catalog refusals remove the bytes', async () => {
    await put('srm://se1.example.org/dpm/dup', '/grid/dup', Buffer.from('one'));
    const prepared = (await alice().post('prepare-to-put', {
      files: [
        { surl: 'srm://ro.example.org/vo/a', lfn: '/grid/a' },
        { surl: 'srm://se1.example.org/dpm/dup', lfn: '/grid/dup2' },
        { surl: 'srm://se1.example.org/dpm/busy', lfn: '/grid/busy' },
        { surl: 'srm://se1.example.org/dpm/busy', lfn: '/grid/busy' },
        { surl: 'srm://se1.example.org/dpm/never', lfn: '/grid/never' },
        { surl: 'srm://se1.example.org/dpm/clash', lfn: '/grid/dup' },
      ],
    })).body as RequestStatus;
    expect(prepared.files.map((f) => f.status)).toEqual(['SRM_FAILURE', 'SRM_DUPLICATION_ERROR', 'SRM_SPACE_AVAILABLE', 'SRM_FILE_BUSY', 'SRM_SPACE_AVAILABLE', 'SRM_SPACE_AVAILABLE']);
    await request(app).put(turlPath(prepared.files[2]!.turl!)).send('b');
    // Same LFN as /grid/dup but other bytes: the catalog refuses, the SE drops them.
    await request(app).put(turlPath(prepared.files[5]!.turl!)).send('different');
    const done = (await alice().post('put-done', { token: prepared.token })).body as RequestStatus;
    expect(done.status).toBe('SRM_PARTIAL_SUCCESS');
    expect(done.files.map((f) => f.status)).toEqual(['SRM_FAILURE', 'SRM_DUPLICATION_ERROR', 'SRM_SUCCESS', 'SRM_FILE_BUSY', 'SRM_INVALID_PATH', 'SRM_FAILURE']);
    expect(existsSync(join(dir, 'se1', 'dpm', 'clash'))).toBe(false);
  });

  it('keeps requests to their owner and follows the catalog on who may read, write and remove', async () => {
    await put('srm://se1.example.org/dpm/private', '/grid/private', Buffer.from('p'));
    catalog.forbidden.add('srm://se1.example.org/dpm/private');
    catalog.forbidden.add('/grid/theirs');
    const mallory = as('mallory');
    const got = (await mallory.post('prepare-to-get', { surls: ['srm://se1.example.org/dpm/private'] })).body as RequestStatus;
    expect(got.files[0]).toMatchObject({ status: 'SRM_AUTHORIZATION_FAILURE' });
    expect((await mallory.post('ls', { surls: ['srm://se1.example.org/dpm/private'] })).body).toMatchObject({ files: [{ status: 'SRM_AUTHORIZATION_FAILURE' }] });
    expect((await mallory.post('rm', { surls: ['srm://se1.example.org/dpm/private'] })).body).toMatchObject({ files: [{ status: 'SRM_AUTHORIZATION_FAILURE' }] });
    expect(existsSync(join(dir, 'se1', 'dpm', 'private'))).toBe(true);
    const theirs = (await mallory.post('prepare-to-put', { files: [{ surl: 'srm://se1.example.org/dpm/theirs', lfn: '/grid/theirs' }] })).body as RequestStatus;
    await request(app).put(turlPath(theirs.files[0]!.turl!)).send('t');
    expect(((await mallory.post('put-done', { token: theirs.token })).body as RequestStatus).files[0]).toMatchObject({ status: 'SRM_AUTHORIZATION_FAILURE' });
    expect(existsSync(join(dir, 'se1', 'dpm', 'theirs'))).toBe(false);
    const mine = (await alice().post('prepare-to-get', { surls: ['srm://se1.example.org/dpm/private'] })).body as RequestStatus;
    expect((await mallory.status(mine.token)).status).toBe(403);
    expect((await mallory.post('abort', { token: mine.token })).status).toBe(403);
  });

  it('keeps files directly in an SE\'s directory too', async () => {
    const done = await put('srm://tape.example.org/top', '/grid/top', Buffer.from('top'));
    expect(done).toMatchObject({ status: 'SRM_SUCCESS' });
    expect(readFileSync(join(dir, 'tape', 'top'), 'utf8')).toBe('top');
    expect((await alice().post('rm', { surls: ['srm://tape.example.org/top'] })).body).toMatchObject({ status: 'SRM_SUCCESS' });
    expect(existsSync(join(dir, 'tape', 'top'))).toBe(false);
  });

  it('lists, removes and aborts', async () => {
    const bytes = Buffer.from('list me');
    await put('srm://se1.example.org/dpm/l', '/grid/l', bytes);
    expect((await alice().post('ls', { surls: ['srm://se1.example.org/dpm/l', 'srm://se1.example.org/dpm/none'] })).body).toMatchObject({
      status: 'SRM_PARTIAL_SUCCESS',
      files: [{ status: 'SRM_SUCCESS', size: 7, checksum: { type: 'adler32', value: new Adler32().update(bytes).hex() } }, { status: 'SRM_INVALID_PATH' }],
    });
    const prepared = (await alice().post('prepare-to-put', { files: [{ surl: 'srm://se1.example.org/dpm/half', lfn: '/grid/half' }] })).body as RequestStatus;
    await request(app).put(turlPath(prepared.files[0]!.turl!)).send('half');
    expect((await alice().post('abort', { token: prepared.token })).body).toMatchObject({ status: 'SRM_ABORTED', files: [{ status: 'SRM_ABORTED' }] });
    expect(existsSync(join(dir, 'se1', 'dpm', 'half'))).toBe(false);
    expect((await alice().post('rm', { surls: ['srm://se1.example.org/dpm/l'] })).body).toMatchObject({ status: 'SRM_SUCCESS' });
    expect(catalog.replicas.has('srm://se1.example.org/dpm/l')).toBe(false);
    expect(existsSync(join(dir, 'se1', 'dpm', 'l'))).toBe(false);
    const offline = (await alice().post('prepare-to-get', { surls: ['srm://down.example.org/x'] })).body as RequestStatus;
    expect(offline.files[0]).toMatchObject({ status: 'SRM_FILE_UNAVAILABLE' });
  });

  it('answers malformed calls with SRM_INVALID_REQUEST, unknown tokens with 404', async () => {
    for (const [op, body] of [
      ['prepare-to-get', {}],
      ['prepare-to-get', { surls: [] }],
      ['prepare-to-get', { surls: ['a'], colour: 1 }],
      ['prepare-to-get', { surls: ['a'], pinLifetimeSeconds: -1 }],
      ['prepare-to-put', { files: [{ surl: 'a' }] }],
      ['put-done', { token: 'nonsense' }],
    ] as const) {
      const res = await alice().post(op, body);
      expect([op, res.status, (res.body as { status: string }).status]).toEqual([op, 400, 'SRM_INVALID_REQUEST']);
    }
    const unknown = await alice().status('0'.repeat(32));
    expect([unknown.status, (unknown.body as { status: string }).status]).toEqual([404, 'SRM_INVALID_REQUEST']);
  });
});
