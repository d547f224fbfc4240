import request from 'supertest';
import * as core from '../../src/core';
import type { Identity } from '../../src/core/context';
import { MAX_SCANNED_ENTRIES } from '../../src/core/metadata/query/query-limits';
import { expectContract, startTestCatalog, TEST_IDENTITY, type TestCatalog } from '../support/test-catalog';

// A fresh PGlite and its fixtures can take over a minute on a loaded machine (seen with parallel suites).
jest.setTimeout(300_000);

const BOB: Identity = { dn: '/DC=org/DC=example/CN=Bob', group: 'others', groups: [] };
const ALL = ['permission', 'remove', 'read', 'write', 'list', 'execute', 'getMetadata', 'setMetadata'] as const;

/**
 * The query language against a caller who may see some entries and not others: values they may not read
 * cannot be probed, counts see what pages see, cursors hold only visible positions, and the compiler
 * refuses queries beyond its cost limits.
 */
describe('metadata queries and access control (REST)', () => {
  let catalog: TestCatalog;
  let owner: core.CatalogContext;

  /** POST /query as Bob (or as the owner), checked against the contract. */
  const query = async (body: Record<string, unknown>, as: 'bob' | 'owner' = 'bob') => {
    const res = await request(catalog.app).post('/api/v1/query').set('x-test-user', as).send(body);
    expectContract(res.status === 200 ? 'QueryResult' : 'Problem', res.body);
    return res;
  };
  const lfns = async (body: Record<string, unknown>, as: 'bob' | 'owner' = 'bob') => {
    const res = await query(body, as);
    expect(res.status).toBe(200);
    return (res.body.entries as { lfn: string }[]).map((e) => e.lfn);
  };
  const count = async (body: Record<string, unknown>, as: 'bob' | 'owner' = 'bob') => {
    const res = await query({ ...body, count: true }, as);
    expect(res.status).toBe(200);
    return res.body.count as number;
  };
  const give = (lfn: string, other: readonly core.Right[]) => core.setPermissions(owner, [{ lfn, permission: { base: { owner: [...ALL], other: [...other] } } }]);

  beforeAll(async () => {
    catalog = await startTestCatalog({}, { identify: (req) => (req.get('x-test-user') === 'bob' ? BOB : TEST_IDENTITY) });
    owner = catalog.ctx;
    await core.createSchema(owner, { name: 'acc', attributes: [{ name: 'secret', type: 'string' }, { name: 'run', type: 'int' }] });
    await core.makeDirectories(owner, [
      { lfn: '/acc/open', parents: true },
      { lfn: '/acc/closed', parents: true },
      { lfn: '/acc/tagged', parents: true },
    ]);
    await core.createFiles(owner, ['/acc/open/f1', '/acc/open/f2', '/acc/closed/h', '/acc/tagged/g', '/acc/z'].map((lfn) => ({ lfn })));
    const set = await core.setAttributes(owner, [
      { lfn: '/acc/open/f1', attributes: { secret: 'pubs-1' } },
      { lfn: '/acc/open/f2', attributes: { secret: 'open-2' } },
      { lfn: '/acc/closed/h', attributes: { secret: 'hunter2' } },
      { lfn: '/acc/tagged', attributes: { secret: 'pubs-dir' } },
      { lfn: '/acc/z', attributes: { secret: 'zz' } },
    ]);
    expect(set.every((r) => r.ok)).toBe(true);
    const walk = ['read', 'list', 'execute'] as const;
    for (const lfn of ['/', '/acc', '/acc/open']) await give(lfn, walk);
    await give('/acc/closed', []);
    await give('/acc/closed/h', ALL);
    // Bob may read f1 but not its metadata; he may read f2, g and z and their metadata.
    await give('/acc/open/f1', ['read']);
    for (const lfn of ['/acc/open/f2', '/acc/tagged/g', '/acc/z']) await give(lfn, ['read', 'getMetadata']);
    // The tagged directory is walkable, but its own metadata is not Bob's to read.
    await give('/acc/tagged', walk);
  });
  afterAll(() => catalog.close());

  it('a value the caller may not read through attributes/get cannot be probed with a query', async () => {
    const get = await request(catalog.app).post('/api/v1/attributes/get').set('x-test-user', 'bob').send({ items: [{ lfn: '/acc/open/f1' }] });
    expect(get.body.results[0].ok).toBe(false);
    expect(await lfns({ query: "secret LIKE 'pubs%'" }, 'owner')).toEqual(['/acc/open/f1', '/acc/tagged']);
    expect(await lfns({ query: "secret LIKE 'pubs%'" })).toEqual([]);
    expect(await count({ query: "secret LIKE 'pubs%'" })).toBe(0);
    expect(await lfns({ query: "secret = 'open-2'" })).toEqual(['/acc/open/f2']);
    // Negations see only readable entries too.
    expect(await lfns({ query: "NOT secret = 'x'", under: '/acc/open' })).toEqual(['/acc/open/f2']);
  });

  it('does not inherit a value from a directory whose metadata the caller may not read', async () => {
    expect(await lfns({ query: "secret LIKE 'pubs%'", inherit: true, kind: 'file' }, 'owner')).toEqual(['/acc/open/f1', '/acc/tagged/g']);
    expect(await lfns({ query: "secret LIKE 'pubs%'", inherit: true })).toEqual([]);
    expect(await count({ query: "secret LIKE 'pubs%'", inherit: true })).toBe(0);
    expect(await lfns({ query: 'NOT EXISTS secret', inherit: true, under: '/acc/tagged' })).toEqual(['/acc/tagged/g']);
  });

  it('counts exactly what pages show: nothing below a directory the caller may not traverse', async () => {
    expect(await count({ query: "secret = 'hunter2'" }, 'owner')).toBe(1);
    expect(await count({ query: "secret = 'hunter2'" })).toBe(0);
    expect(await count({ query: "secret = 'wrong'" })).toBe(0);
    expect(await count({ query: 'EXISTS secret' })).toBe((await lfns({ query: 'EXISTS secret' })).length);
  });

  it('pages hold only visible entries, and their cursors only visible positions', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await query({ query: 'EXISTS secret', limit: 1, ...(cursor !== undefined ? { cursor } : {}) });
      expect(res.status).toBe(200);
      const items = (res.body.entries as { lfn: string }[]).map((e) => e.lfn);
      seen.push(...items);
      if (res.body.next === null) break;
      // Every page but the last is full: nothing is read past and dropped.
      expect(items).toHaveLength(1);
      cursor = res.body.next as string;
      expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toMatch(/closed|tagged|f1/);
    }
    expect(seen).toEqual(['/acc/open/f2', '/acc/z']);
  });

  describe('cost limits', () => {
    const ors = (n: number) => Array.from({ length: n }, (_, i) => `run = ${i}`).join(' OR ');

    it('answers wide disjunctions with inherit, and refuses them beyond the limit with a 400 naming it', async () => {
      await core.setAttributes(owner, [{ lfn: '/acc/open', attributes: { run: 7 } }, { lfn: '/acc/z', attributes: { run: 99 } }]);
      expect(await count({ query: ors(10), inherit: true }, 'owner')).toBe(3);
      expect(await count({ query: ors(100), inherit: true }, 'owner')).toBe(4);
      const res = await query({ query: ors(129), inherit: true, count: true });
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/more than 128 comparisons in one query with inherit/);
      expect((await query({ query: ors(257) })).body.detail).toMatch(/more than 256 comparisons in one query/);
      expect((await query({ query: ors(200) })).status).toBe(200);
      const many = Array.from({ length: 17 }, (_, i) => `EXISTS a${i}`).join(' OR ');
      const refused = await query({ query: many });
      expect(refused.status).toBe(400);
      expect(refused.body.detail).toMatch(/more than 16 different attributes/);
    });

    it('refuses a query no index can start from over a scope larger than the limit', async () => {
      const names = Array.from({ length: MAX_SCANNED_ENTRIES }, (_, i) => `/big/f${i}`);
      await core.makeDirectories(owner, [{ lfn: '/big', parents: true }]);
      for (let k = 0; k < names.length; k += 5000) await core.createFiles(owner, names.slice(k, k + 5000).map((lfn) => ({ lfn })));
      const res = await query({ query: 'NOT run = 1', inherit: true, count: true }, 'owner');
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(new RegExp(`at most ${MAX_SCANNED_ENTRIES} entries`));
      expect((await query({ query: 'NOT run = 1', count: true }, 'owner')).status).toBe(400);
      // Scoped below the limit, or started from an index, the same condition is answered.
      expect(await count({ query: 'NOT run = 1', inherit: true, under: '/acc' }, 'owner')).toBeGreaterThan(0);
      expect(await count({ query: 'EXISTS run AND NOT run = 1', inherit: true }, 'owner')).toBe(4);
    });
  });
});
