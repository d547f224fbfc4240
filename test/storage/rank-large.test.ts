import request from 'supertest';
import { catalogApi, codes, expectContract, type TestCatalog } from '../support/test-catalog';
import { asAdmin, seItem, startStorageCatalog } from './storage-catalog';

interface RankingView {
  readonly ses: { se: string; files: number; bytes: number; fraction: number }[];
  readonly files: number;
  readonly missing: string[];
}

describe('a rank request of 100,000 names', () => {
  let catalog: TestCatalog;
  const FILES = 10_000;
  const guids: string[] = [];

  beforeAll(async () => {
    catalog = await startStorageCatalog();
    const api = catalogApi(catalog.app);
    await asAdmin(catalog.app).post('/api/v1/storage-elements', { items: [seItem('se0.example.org'), seItem('se1.example.org')] });
    await api.mkdir('/big');
    const created = await api.createFiles(
      Array.from({ length: FILES }, (_, i) => ({
        lfn: `/big/f${i}`,
        size: 10,
        replicas: [{ surl: `srm://se${i % 2}.example.org/dpm/f${i}` }, ...(i % 10 === 0 ? [{ surl: `srm://se${(i + 1) % 2}.example.org/dpm/f${i}` }] : [])],
      })),
    );
    expect(codes(created).filter((c) => c !== 'ok')).toEqual([]);
    for (const c of created) if (c.ok) guids.push((c.entry as { guid: string }).guid);
  }, 120_000);
  afterAll(() => catalog.close());

  it('streams the body in, answers in one piece, and reports every unknown name', async () => {
    // Every file three times (two LFN spellings and its GUID) and 70,000 names that do not exist.
    const names = [
      ...guids.map((_, i) => `lfn:/big/f${i}`),
      ...guids.map((_, i) => `/big/f${i}`),
      ...guids.map((g) => `guid:${g}`),
      ...Array.from({ length: 70_000 }, (_, i) => `/big/none/n${i}`),
    ];
    expect(names).toHaveLength(100_000);
    const res = await request(catalog.app).post('/api/v1/storage-index/rank').send({ lfns: names, protocols: ['root'] });
    expect(res.status).toBe(200);
    expectContract('Ranking', res.body);
    const ranking = res.body as RankingView;
    expect(ranking.files).toBe(FILES);
    expect(ranking.missing).toHaveLength(70_000);
    // Half the files on each SE; every tenth (an even one, so on se0) has a second replica on se1.
    expect(ranking.ses.map((s) => [s.se, s.files, s.bytes])).toEqual([
      ['se1.example.org', 6000, 60_000],
      ['se0.example.org', 5000, 50_000],
    ]);
    // Over the job's inputs: 10,000 files found and 70,000 names missing.
    expect(ranking.ses[0]!.fraction).toBeCloseTo(6000 / 80_000);
  }, 120_000);

  it('refuses one name more than the limit with 413, as a whole', async () => {
    const small = await startStorageCatalog();
    try {
      const limited = await request(small.app)
        .post('/api/v1/storage-index/rank')
        .set('content-type', 'text/plain')
        .send(Array.from({ length: 1_000_001 }, (_, i) => `/n${i}`).join('\n'));
      expect(limited.status).toBe(413);
      expect(limited.body).toMatchObject({ code: 'LimitExceeded' });
    } finally {
      await small.close();
    }
  }, 120_000);
});
