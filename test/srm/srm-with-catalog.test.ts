import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { Adler32 } from '@replicat/sdk';
import { SdkSrmCatalog } from '../../src/srm/sdk-catalog';
import { createSrmApp } from '../../src/srm/srm-app';
import { SrmService, type RequestStatus } from '../../src/srm/srm-service';
import { catalogApi, startTestCatalog, TEST_IDENTITY, type ItemResult, type TestCatalog } from '../support/test-catalog';
import { ADMIN, BOB } from '../storage/storage-catalog';

/** The SRM in front of a real catalog, reached over HTTP through the SDK with each caller's credentials. */
describe('the mock SRM with the catalog through the SDK', () => {
  let catalog: TestCatalog;
  let server: Server;
  let dir: string;
  let srm: ReturnType<typeof createSrmApp>;
  const bearer = (who: string) => `Bearer ${who}-token`;

  beforeAll(async () => {
    catalog = await startTestCatalog({}, {
      identify: (req) => (req.get('authorization') === bearer('admin') ? ADMIN : req.get('authorization') === bearer('bob') ? BOB : TEST_IDENTITY),
    });
    server = catalog.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const registered = await request(catalog.app)
      .post('/api/v1/storage-elements')
      .set('authorization', bearer('admin'))
      .send({ items: [{ name: 'se1', host: 'se1.example.org', surlPrefixes: ['srm://se1.example.org/dpm/'], protocols: [{ scheme: 'http', turlTemplate: 'http://srm.test/data/se1{path}' }] }] });
    expect((registered.body as { results: ItemResult[] }).results[0]).toMatchObject({ ok: true });
    dir = mkdtempSync(join(tmpdir(), 'srm-catalog-'));
    const service = new SrmService(
      { ses: new Map([['se1', dir]]), stagingDelayMs: 0, pinLifetimeMs: 600_000, maxPinLifetimeMs: 3_600_000, putLifetimeMs: 300_000, requestRetentionMs: 3_600_000 },
      new SdkSrmCatalog({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    );
    srm = createSrmApp({
      service,
      identify: (req) => {
        const authorization = req.get('authorization');
        return { id: authorization ?? 'test', ...(authorization !== undefined ? { authorization } : {}) };
      },
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await catalog.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const srmCall = (op: string, body: unknown, who?: string) => {
    const req = request(srm).post(`/srm/v2/${op}`);
    if (who !== undefined) req.set('authorization', bearer(who));
    return req.send(body as object);
  };
  /** A TURL's path with its query: the signature the data routes check. */
  const turlPath = (turl: string) => {
    const url = new URL(turl);
    return `${url.pathname}${url.search}`;
  };
  const upload = async (surl: string, lfn: string, bytes: string): Promise<RequestStatus> => {
    const prepared = (await srmCall('prepare-to-put', { files: [{ surl, lfn }] })).body as RequestStatus;
    expect(prepared.files[0]).toMatchObject({ status: 'SRM_SPACE_AVAILABLE' });
    expect((await request(srm).put(turlPath(prepared.files[0]!.turl!)).send(bytes)).status).toBe(201);
    return (await srmCall('put-done', { token: prepared.token })).body as RequestStatus;
  };

  it('puts bytes and registers the file, its size, adler32 and replica in the catalog', async () => {
    const done = await upload('srm://se1.example.org/dpm/vo/f1', '/grid/vo/f1', 'real bytes');
    expect(done).toMatchObject({ status: 'SRM_SUCCESS' });
    const adler = new Adler32().update(Buffer.from('real bytes')).hex();
    const [stat] = await catalogApi(catalog.app).stat([{ lfn: '/grid/vo/f1' }]);
    expect(stat).toMatchObject({ ok: true, entry: { size: 10, checksum: { type: 'adler32', value: adler } } });
    const [listed] = await catalogApi(catalog.app).listReplicas([{ lfn: '/grid/vo/f1' }]);
    expect(listed).toMatchObject({ ok: true, replicas: [{ surl: 'srm://se1.example.org/dpm/vo/f1', master: true }] });
  });

  it('adds a second replica of the same bytes, and refuses other bytes under the same name', async () => {
    expect(await upload('srm://se1.example.org/dpm/vo/f1-copy', '/grid/vo/f1', 'real bytes')).toMatchObject({ status: 'SRM_SUCCESS' });
    const other = await upload('srm://se1.example.org/dpm/vo/f1-other', '/grid/vo/f1', 'other bytes');
    expect(other.files[0]).toMatchObject({ status: 'SRM_FAILURE', explanation: expect.stringContaining('another size or checksum') });
    expect(existsSync(join(dir, 'dpm', 'vo', 'f1-other'))).toBe(false);
    const [listed] = await catalogApi(catalog.app).listReplicas([{ lfn: '/grid/vo/f1' }]);
    expect((listed as unknown as { replicas: unknown[] }).replicas).toHaveLength(2);
  });

  it('serves a pinned TURL to the owner, and asks the catalog whether others may read', async () => {
    const got = (await srmCall('prepare-to-get', { surls: ['srm://se1.example.org/dpm/vo/f1'] })).body as RequestStatus;
    expect(got.files[0]).toMatchObject({ status: 'SRM_FILE_PINNED' });
    const bytes = await request(srm).get(turlPath(got.files[0]!.turl!));
    expect(bytes.status).toBe(200);
    // A file Bob may not read is, to him, a file that is not there.
    const denied = (await srmCall('prepare-to-get', { surls: ['srm://se1.example.org/dpm/vo/f1'] }, 'bob')).body as RequestStatus;
    expect(denied.files[0]).toMatchObject({ status: 'SRM_INVALID_PATH' });
  });

  it('removes: the catalog forgets the replica, the bytes go', async () => {
    // Bob cannot see the file: the SRM leaves its bytes alone, as for bytes no catalog entry names.
    expect((await srmCall('rm', { surls: ['srm://se1.example.org/dpm/vo/f1-copy'] }, 'bob')).body).toMatchObject({ files: [{ status: 'SRM_INVALID_PATH' }] });
    expect(existsSync(join(dir, 'dpm', 'vo', 'f1-copy'))).toBe(true);
    expect((await srmCall('rm', { surls: ['srm://se1.example.org/dpm/vo/f1-copy'] })).body).toMatchObject({ status: 'SRM_SUCCESS' });
    expect(existsSync(join(dir, 'dpm', 'vo', 'f1-copy'))).toBe(false);
    const [listed] = await catalogApi(catalog.app).listReplicas([{ lfn: '/grid/vo/f1' }]);
    expect((listed as unknown as { replicas: { surl: string }[] }).replicas.map((r) => r.surl)).toEqual(['srm://se1.example.org/dpm/vo/f1']);
  });
});
