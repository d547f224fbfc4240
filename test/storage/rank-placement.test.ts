import request from 'supertest';
import { StorageDirectory } from '../../src/core/storage/storage-directory';
import type { StorageElement } from '../../src/core/storage/storage-element';
import { parseSurl } from '../../src/core/names/surl';
import { catalogApi, codes, type ItemResult, type TestCatalog } from '../support/test-catalog';
import { asAdmin, seItem, startStorageCatalog } from './storage-catalog';

interface RankingView {
  readonly ses: { se: string; registered: boolean; files: number; bytes: number }[];
  readonly files: number;
}

/**
 * The rank statement places replicas by host alone when the registry allows it (every prefix belongs to
 * the SE its host falls back to), by a prefix join otherwise, and by the longest prefix when prefixes
 * nest. Whichever it takes, the answer must be the one the in-memory rule gives.
 */
describe('rank places replicas as StorageDirectory does, whichever way the statement places them', () => {
  let catalog: TestCatalog;
  const files: { lfn: string; size: number; surls: string[] }[] = [
    // Two SURLs on se1 (one by prefix, one by host with a port): counted once there.
    { lfn: '/place/f1', size: 1, surls: ['srm://se1.example.org/dpm/f1', 'srm://se1.example.org:8446/srm/managerv2?SFN=/dpm/f1b', 'srm://se2.example.org/f1'] },
    { lfn: '/place/f2', size: 20, surls: ['srm://se2.example.org/x/f2', 'gsiftp://loose.example.org/f2'] },
    { lfn: '/place/f3', size: 300, surls: ['srm://se1.example.org/other/f3', 'srm://se1.example.org/other/f3b'] },
    { lfn: '/place/f4', size: 4000, surls: ['srm://se1.example.org/dpm/fx/f4', 'srm://loose.example.org/f4'] },
    { lfn: '/place/none', size: 50_000, surls: [] },
  ];

  beforeAll(async () => {
    catalog = await startStorageCatalog();
    const api = catalogApi(catalog.app);
    await api.mkdir('/place');
    expect(codes(await api.createFiles(files.map((f) => ({ lfn: f.lfn, size: f.size, replicas: f.surls.map((surl) => ({ surl })) }))))).toEqual(files.map(() => 'ok'));
  });
  afterAll(() => catalog.close());

  const register = async (items: Record<string, unknown>[]) => {
    const res = await asAdmin(catalog.app).post('/api/v1/storage-elements', { items });
    expect(codes((res.body as { results: ItemResult[] }).results)).toEqual(items.map(() => 'ok'));
  };

  /** Files and bytes per SE (`name`, or `host?` for an unregistered one) as the in-memory rule places them. */
  const expected = async () => {
    const listed = await request(catalog.app).get('/api/v1/storage-elements');
    const directory = new StorageDirectory((listed.body as { storageElements: StorageElement[] }).storageElements);
    const counts = new Map<string, [number, number]>();
    for (const file of files) {
      const ses = new Set(file.surls.map((surl) => directory.locate(surl)?.name ?? `${parseSurl(surl).se}?`));
      for (const se of ses) {
        const [n, bytes] = counts.get(se) ?? [0, 0];
        counts.set(se, [n + 1, bytes + file.size]);
      }
    }
    return [...counts].map(([se, [n, bytes]]) => [se, n, bytes]).sort();
  };
  const ranked = async () => {
    const res = await request(catalog.app).post('/api/v1/storage-index/rank').send({ lfns: files.map((f) => f.lfn) });
    expect(res.status).toBe(200);
    const ranking = res.body as RankingView;
    expect(ranking.files).toBe(files.length);
    return ranking.ses.map((s) => [s.registered ? s.se : `${s.se}?`, s.files, s.bytes]).sort();
  };

  it('by host alone when each prefix belongs to its host’s SE (an SE without prefixes, hosts no SE has)', async () => {
    await register([seItem('se1.example.org'), seItem('se2.example.org', { surlPrefixes: [] })]);
    expect(await ranked()).toEqual(await expected());
    expect(await ranked()).toEqual([
      ['loose.example.org?', 2, 4020],
      ['se1.example.org', 3, 4301],
      ['se2.example.org', 2, 21],
    ]);
  });

  it('by prefix when a prefix on one host belongs to an SE of another', async () => {
    await register([seItem('other-se', { host: 'other.example.org', surlPrefixes: ['srm://se1.example.org/other/'] })]);
    expect(await ranked()).toEqual(await expected());
    expect((await ranked()).find(([se]) => se === 'other-se')).toEqual(['other-se', 1, 300]);
  });

  it('by the longest prefix when prefixes nest, the first SE of a host by name taking the rest', async () => {
    // 'se1-deep' sorts before 'se1.example.org': it now also holds what no prefix claims on that host.
    await register([seItem('se1-deep', { host: 'se1.example.org', surlPrefixes: ['srm://se1.example.org/dpm/fx/'] })]);
    expect(await ranked()).toEqual(await expected());
    expect(await ranked()).toContainEqual(['se1-deep', 2, 4001]);
  });

  it('by host alone again once the registry allows it, also for files reached through a link', async () => {
    for (const name of ['other-se', 'se1-deep']) expect((await asAdmin(catalog.app).delete(`/api/v1/storage-elements/${name}`)).status).toBe(204);
    await catalogApi(catalog.app).symlink('/place/link-to-f3', '/place/f3');
    const res = await request(catalog.app).post('/api/v1/storage-index/rank').send({ lfns: ['/place/link-to-f3', '/place/f2'] });
    expect((res.body as RankingView).ses.map((s) => [s.se, s.files, s.bytes])).toEqual([
      ['se1.example.org', 1, 300],
      ['loose.example.org', 1, 20],
      ['se2.example.org', 1, 20],
    ]);
  });
});
