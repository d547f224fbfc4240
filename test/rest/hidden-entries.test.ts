import pino from 'pino';
import request from 'supertest';
import type { Identity } from '../../src/core/context';
import { CursorKey } from '../../src/core/cursor';
import { loadCursorKey } from '../../src/core/load-cursor-key';
import { createRestApp } from '../../src/rest/app';
import { bulk, codes, startTestCatalog, TEST_IDENTITY, TEST_LIMITS, type ItemResult, type TestCatalog } from '../support/test-catalog';

// Alice (the test identity) keeps a private directory; Bob may walk the rest of the tree and read some files.
const BOB: Identity = { dn: '/DC=org/DC=example/CN=Bob', group: 'bobs', groups: [] };
const SE = 'se.example.org';
const PRIVATE_SURL = `srm://${SE}/alice/private.root`;
const PRIVATE_GUID = '4a11ce00-0000-4000-8000-000000000001';
const NONE_GUID = '4a11ce00-0000-4000-8000-0000000000ff';

type Page = { replicas: { surl: string }[]; next: string | null };

describe('nothing hidden leaks over REST', () => {
  let catalog: TestCatalog;
  const asBob = { 'x-test-caller': 'bob' };
  const post = (path: string, items: readonly unknown[], headers: Record<string, string> = asBob) =>
    request(catalog.app).post(path).set(headers).send({ items });
  const results = async (path: string, items: readonly unknown[]): Promise<ItemResult[]> => {
    const res = await post(path, items);
    expect(res.status).toBe(200);
    return (res.body as { results: ItemResult[] }).results;
  };
  const messages = (items: readonly ItemResult[]) => items.map((r) => (r.ok ? 'ok' : r.error.message));

  beforeAll(async () => {
    catalog = await startTestCatalog({}, { identify: (req) => (req.get('x-test-caller') === 'bob' ? BOB : TEST_IDENTITY) });
    await bulk(catalog.app, '/api/v1/directories', ['/grid/vo/alice', '/grid/vo/pub', '/grid/vo/bob/tree/closed/inner'].map((lfn) => ({ lfn, parents: true })));
    await bulk(catalog.app, '/api/v1/files', [
      { lfn: '/grid/vo/alice/private.root', guid: PRIVATE_GUID, replicas: [{ surl: PRIVATE_SURL }] },
      { lfn: '/grid/vo/pub/a.root', replicas: [{ surl: `srm://${SE}/pub/a.root` }] },
      { lfn: '/grid/vo/pub/b.root', replicas: [{ surl: `srm://${SE}/pub/b.root` }] },
      { lfn: '/grid/vo/pub/unreadable.root', replicas: [{ surl: `srm://${SE}/pub/c-unreadable.root` }] },
    ]);
    const walk = ['execute', 'list'];
    await bulk(catalog.app, '/api/v1/permissions/set', [
      ...['/', '/grid', '/grid/vo', '/grid/vo/pub'].map((lfn) => ({ lfn, permission: { base: { other: walk } } })),
      ...['/grid/vo/pub/a.root', '/grid/vo/pub/b.root'].map((lfn) => ({ lfn, permission: { base: { other: ['read'] } } })),
      { lfn: '/grid/vo/bob', permission: { base: { other: ['execute', 'list', 'read', 'write', 'remove'] } } },
      { lfn: '/grid/vo/bob/tree', permission: { base: { other: ['execute', 'list', 'remove'] } } },
      // Bob may pass through `closed` but not see what is in it, and may not empty `inner`.
      { lfn: '/grid/vo/bob/tree/closed', permission: { base: { other: ['execute', 'remove'] } } },
    ]);
  });
  afterAll(() => catalog.close());

  describe('cursors', () => {
    const sePage = async (query: Record<string, string | number>, headers: Record<string, string> = asBob): Promise<Page> => {
      const res = await request(catalog.app).get('/api/v1/replicas').set(headers).query(query);
      expect(res.status).toBe(200);
      return res.body as Page;
    };

    it('a storage element listing leaves out what the caller may not see before its limit: every page full, no cursor past a hidden SURL', async () => {
      const pages: Page[] = [];
      let cursor: string | null = null;
      do {
        const page: Page = await sePage({ se: SE, limit: 1, ...(cursor !== null ? { cursor } : {}) });
        pages.push(page);
        cursor = page.next;
      } while (cursor !== null && pages.length < 10);
      expect(pages.map((p) => p.replicas.map((r) => r.surl))).toEqual([[`srm://${SE}/pub/a.root`], [`srm://${SE}/pub/b.root`]]);
      for (const page of pages) {
        if (page.next !== null) expect(Buffer.from(page.next, 'base64url').toString('latin1')).not.toContain('alice');
      }
      // The owner still sees every replica, the private one first.
      const all = await sePage({ se: SE }, {});
      expect(all.replicas.map((r) => r.surl)[0]).toBe(PRIVATE_SURL);
      expect(all.replicas).toHaveLength(4);
    });

    it('are sealed: a cursor shows no name, and an altered or hand-made one is refused as invalid', async () => {
      const first = await request(catalog.app).get('/api/v1/directories/entries').query({ lfn: '/grid/vo/pub', limit: 1 });
      expect(first.status).toBe(200);
      const next = first.body.next as string;
      expect(Buffer.from(next, 'base64url').toString('latin1')).not.toContain('a.root');
      const bytes = Buffer.from(next, 'base64url');
      for (const at of [0, 20, bytes.length - 1]) {
        const altered = Buffer.from(bytes);
        altered.writeUInt8(altered.readUInt8(at) ^ 1, at);
        const res = await request(catalog.app).get('/api/v1/directories/entries').query({ lfn: '/grid/vo/pub', cursor: altered.toString('base64url') });
        expect({ status: res.status, code: res.body.code, detail: res.body.detail }).toEqual({ status: 400, code: 'InvalidArgument', detail: 'invalid cursor' });
      }
      const handMade = Buffer.from(JSON.stringify({ s: 'se:se.example.org', a: PRIVATE_SURL })).toString('base64url');
      const res = await request(catalog.app).get('/api/v1/replicas').set(asBob).query({ se: SE, cursor: handMade });
      expect({ status: res.status, detail: res.body.detail }).toEqual({ status: 400, detail: 'invalid cursor' });
    });

    it('open on every instance over the same database, and on no other', async () => {
      const first = await sePage({ se: SE, limit: 1 });
      const instance = async (cursorKey: CursorKey) =>
        createRestApp({ database: catalog.database, limits: TEST_LIMITS, cursorKey, identify: () => BOB, logger: pino({ level: 'silent' }) });
      const sibling = await instance(await loadCursorKey(catalog.database.db));
      const continued = await request(sibling).get('/api/v1/replicas').query({ se: SE, cursor: first.next! });
      expect(continued.status).toBe(200);
      expect((continued.body as Page).replicas.map((r) => r.surl)).toEqual([`srm://${SE}/pub/b.root`]);
      const stranger = await instance(CursorKey.random());
      const refused = await request(stranger).get('/api/v1/replicas').query({ se: SE, cursor: first.next! });
      expect({ status: refused.status, detail: refused.body.detail }).toEqual({ status: 400, detail: 'invalid cursor' });
    });
  });

  describe('error messages', () => {
    it('answer a GUID or SURL of a file the caller cannot reach exactly as one nobody registered', async () => {
      const byGuid = await results('/api/v1/replicas/list', [{ guid: PRIVATE_GUID }, { guid: NONE_GUID }]);
      expect(codes(byGuid)).toEqual(['NotExists', 'NotExists']);
      expect(messages(byGuid)).toEqual([`no such GUID: ${PRIVATE_GUID}`, `no such GUID: ${NONE_GUID}`]);
      const bySurl = await results('/api/v1/guids/lookup', [{ surl: PRIVATE_SURL }, { surl: `srm://${SE}/nobody.root` }]);
      expect(codes(bySurl)).toEqual(['NotExists', 'NotExists']);
      expect(messages(bySurl)).toEqual([`no such SURL: ${PRIVATE_SURL}`, `no such SURL: srm://${SE}/nobody.root`]);
      const ses = await results('/api/v1/storage-index/ses', [{ guid: PRIVATE_GUID }]);
      expect(messages(ses)).toEqual([`no such GUID: ${PRIVATE_GUID}`]);
    });

    it('name the GUID a refusal was asked by, never the file behind it', async () => {
      const unreadable = await results('/api/v1/guids/lookup', [{ surl: `srm://${SE}/pub/c-unreadable.root` }]);
      expect(codes(unreadable)).toEqual(['PermissionDenied']);
      expect(messages(unreadable)[0]).toContain(`srm://${SE}/pub/c-unreadable.root`);
      expect(messages(unreadable)[0]).not.toContain('/grid/vo/pub/unreadable.root');
      const [owned] = await bulk(catalog.app, '/api/v1/guids/lookup', [{ lfn: '/grid/vo/pub/unreadable.root' }]);
      const byGuid = await results('/api/v1/replicas/list', [{ guid: (owned as unknown as { guid: string }).guid }]);
      expect(codes(byGuid)).toEqual(['PermissionDenied']);
      expect(messages(byGuid)[0]).not.toContain('unreadable.root');
    });

    it('refuse a taken GUID or SURL without naming the file that holds it', async () => {
      const created = await results('/api/v1/files', [
        { lfn: '/grid/vo/bob/copy.root', guid: PRIVATE_GUID },
        { lfn: '/grid/vo/bob/same-surl.root', replicas: [{ surl: PRIVATE_SURL }] },
        { lfn: '/grid/vo/bob/mine.root' },
      ]);
      expect(codes(created)).toEqual(['Exists', 'Exists', 'ok']);
      const added = await results('/api/v1/replicas/add', [{ lfn: '/grid/vo/bob/mine.root', surl: PRIVATE_SURL }]);
      expect(codes(added)).toEqual(['Exists']);
      // Each message repeats what Bob sent (the GUID, the SURL), and nothing more.
      for (const message of [...messages(created), ...messages(added)]) expect(message).not.toContain('/grid/vo/alice');
      expect(messages(created.slice(1, 2))[0]).not.toContain(PRIVATE_GUID);
      expect(messages(added)[0]).not.toContain(PRIVATE_GUID);
    });

    it('name no directory of a recursive removal that the caller could not list its way to', async () => {
      const [removed] = await results('/api/v1/entries/remove', [{ lfn: '/grid/vo/bob/tree', recursive: true }]);
      expect(removed).toMatchObject({ ok: false, error: { code: 'PermissionDenied' } });
      const message = messages([removed!])[0]!;
      expect(message).not.toContain('inner');
      expect(message).toContain('/grid/vo/bob/tree');
    });
  });
});
