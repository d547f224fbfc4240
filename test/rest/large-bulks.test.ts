import request from 'supertest';
import { expectContract, startTestCatalog, type TestCatalog } from '../support/test-catalog';

const ITEMS = 25_000;
let catalog: TestCatalog;
beforeAll(async () => {
  catalog = await startTestCatalog({ maxItems: ITEMS, maxBodyBytes: 8 * 1024 * 1024 });
});
afterAll(async () => catalog.close());

describe('read bulks larger than one core call', () => {
  // Reads of more than 10,000 items go through core in slices: the answer must not show the seams.
  const present = [0, 9_999, 10_000, 19_999, 20_000, ITEMS - 1];
  const lfn = (i: number) => `/large/f${i}`;

  beforeAll(async () => {
    await request(catalog.app).post('/api/v1/directories').send({ items: [{ lfn: '/large', parents: true }] }).expect(200);
    const created = await request(catalog.app)
      .post('/api/v1/files')
      .send({ items: present.map((i) => ({ lfn: lfn(i), replicas: [{ surl: `srm://se.example.org/large/f${i}` }] })) });
    expect(created.body.results.every((r: { ok: boolean }) => r.ok)).toBe(true);
  });

  it.each([['entries/stat'], ['replicas/list']])('answers every item of %s in order', async (route) => {
    const res = await request(catalog.app)
      .post(`/api/v1/${route}`)
      .send({ items: Array.from({ length: ITEMS }, (_, i) => ({ lfn: lfn(i) })) });
    expect(res.status).toBe(200);
    expectContract(route === 'entries/stat' ? 'EntryResults' : 'ReplicaListResults', res.body);
    const results = res.body.results as { ok: boolean; entry?: { lfn: string }; replicas?: { surl: string }[]; error?: { code: string } }[];
    expect(results).toHaveLength(ITEMS);
    const ok = results.flatMap((r, i) => (r.ok ? [i] : []));
    expect(ok).toEqual(present);
    for (const i of present) {
      if (route === 'entries/stat') expect(results[i]!.entry!.lfn).toBe(lfn(i));
      else expect(results[i]!.replicas).toEqual([expect.objectContaining({ surl: `srm://se.example.org/large/f${i}` })]);
    }
    expect(results[1]!.error!.code).toBe('NotExists');
  });
});
