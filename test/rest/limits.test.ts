import request from 'supertest';
import { expectContract, startTestCatalog, type TestCatalog } from '../support/test-catalog';

let catalog: TestCatalog;
beforeAll(async () => {
  catalog = await startTestCatalog({ maxItems: 250, maxBodyBytes: 65_536, defaultPageSize: 50, maxPageSize: 500 });
});
afterAll(async () => catalog.close());

describe('GET /api/v1/limits', () => {
  it('advertises the limits this instance enforces, so that clients can split bulks before sending them', async () => {
    const res = await request(catalog.app).get('/api/v1/limits');
    expect(res.status).toBe(200);
    expectContract('Limits', res.body);
    expect(res.body).toEqual({ maxItems: 250, maxBodyBytes: 65_536, defaultPageSize: 50, maxPageSize: 500 });
  });

  it('is the limit the bulk routes hold to: one item more is refused as a whole', async () => {
    const items = Array.from({ length: 251 }, (_, i) => ({ lfn: `/x${i}` }));
    const res = await request(catalog.app).post('/api/v1/entries/stat').send({ items });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'LimitExceeded' });
  });
});
