import request from 'supertest';
import { catalogApi, codes, expectContract, type ItemResult, type TestCatalog } from '../support/test-catalog';
import { asAdmin, seItem, startStorageCatalog } from './storage-catalog';

interface Ranked {
  readonly se: string;
  readonly host: string;
  readonly registered: boolean;
  readonly status: string;
  readonly nearline: boolean;
  readonly files: number;
  readonly bytes: number;
  readonly fraction: number;
  readonly protocols: string[];
}

interface RankingView {
  readonly ses: Ranked[];
  readonly files: number;
  readonly missing: string[];
  readonly invalid: { name: string; error: { code: string } }[];
}

describe('StorageIndex and rank over REST', () => {
  let catalog: TestCatalog;
  let api: ReturnType<typeof catalogApi>;
  const guids = new Map<string, string>();

  const rank = async (body: unknown, as?: string): Promise<RankingView> => {
    const req = request(catalog.app).post('/api/v1/storage-index/rank');
    if (as !== undefined) req.set('x-test-as', as);
    const res = await req.send(body as object);
    if (res.status !== 200) throw new Error(`rank answered ${res.status}: ${JSON.stringify(res.body)}`);
    expectContract('Ranking', res.body);
    return res.body as RankingView;
  };
  const summary = (ranking: RankingView) => ranking.ses.map((s) => [s.se, s.files, s.bytes]);

  beforeAll(async () => {
    catalog = await startStorageCatalog();
    api = catalogApi(catalog.app);
    const admin = asAdmin(catalog.app);
    const registered = await admin.post('/api/v1/storage-elements', {
      items: [
        seItem('disk1'.concat('.example.org')),
        // Two SEs on one host, told apart by their prefixes.
        seItem('atlas-disk', { host: 'shared.example.org', surlPrefixes: ['srm://shared.example.org/dpm/atlas/'] }),
        seItem('cms-disk', { host: 'shared.example.org', surlPrefixes: ['srm://shared.example.org/dpm/cms/'], protocols: [{ scheme: 'file', turlTemplate: 'file:///cms{path}' }] }),
        seItem('tape.example.org', { nearline: true, protocols: [{ scheme: 'root', turlTemplate: 'root://tape.example.org/{path}' }] }),
        seItem('down.example.org', { status: 'offline' }),
      ],
    });
    expect(codes((registered.body as { results: ItemResult[] }).results)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    await api.mkdir('/job/in', '/job/private');
    const file = (name: string, size: number, surls: string[]) => ({ lfn: `/job/in/${name}`, size, replicas: surls.map((surl) => ({ surl })) });
    const created = await api.createFiles([
      file('a', 100, ['srm://disk1.example.org/dpm/a', 'srm://tape.example.org/a', 'srm://down.example.org/a']),
      file('b', 200, ['srm://disk1.example.org/dpm/b', 'srm://disk1.example.org:8446/srm/managerv2?SFN=/dpm/b2', 'srm://shared.example.org/dpm/atlas/b']),
      file('c', 300, ['srm://shared.example.org/dpm/cms/c', 'srm://tape.example.org/c', 'srm://down.example.org/c']),
      file('d', 400, ['srm://tape.example.org/d', 'gsiftp://unknown.example.org/d', 'srm://down.example.org/d']),
      file('e', 500, ['srm://shared.example.org/other/e']),
      file('nothing', 1, []),
      { lfn: '/job/private/p', size: 1000, replicas: [{ surl: 'srm://disk1.example.org/dpm/p' }] },
    ]);
    expect(codes(created)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    created.forEach((c, i) => c.ok && guids.set(['a', 'b', 'c', 'd', 'e', 'nothing', 'p'][i]!, (c.entry as { guid: string }).guid));
    await api.symlink('/job/link-to-a', '/job/in/a');
    await api.symlink('/job/dir-link', '/job/in');
  });
  afterAll(() => catalog.close());

  describe('ses', () => {
    it('lists the SURL hosts of each file, master first, by lfn or guid with their prefixes', async () => {
      const res = await request(catalog.app)
        .post('/api/v1/storage-index/ses')
        .send({ items: [{ lfn: '/job/in/a' }, { lfn: 'lfn:/job/in/b' }, { guid: `guid:${guids.get('c')}` }, { lfn: '/job/in/nothing' }, { lfn: '/job/in/zzz' }, { guid: 'nonsense' }, { lfn: '/job/in' }] });
      expect(res.status).toBe(200);
      expectContract('StorageIndexSesResults', res.body);
      const results = (res.body as { results: ItemResult[] }).results;
      expect(codes(results)).toEqual(['ok', 'ok', 'ok', 'ok', 'NotExists', 'InvalidArgument', 'IsADirectory']);
      // The master's SE first; replicas registered together follow in SURL order.
      expect(results.slice(0, 4).map((r) => (r.ok ? r.ses : null))).toEqual([
        ['disk1.example.org', 'down.example.org', 'tape.example.org'],
        ['disk1.example.org', 'shared.example.org'],
        ['shared.example.org', 'down.example.org', 'tape.example.org'],
        [],
      ]);
    });

    it('answers PermissionDenied for a file the caller may not reach', async () => {
      const res = await request(catalog.app).post('/api/v1/storage-index/ses').set('x-test-as', 'bob').send({ items: [{ lfn: '/job/in/a' }] });
      expect(codes((res.body as { results: ItemResult[] }).results)).toEqual(['PermissionDenied']);
    });
  });

  describe('rank', () => {
    it('ranks SEs by files, then bytes, then name; offline last; places replicas by prefix, then host', async () => {
      const ranking = await rank({ lfns: ['/job/in/a', '/job/in/b', '/job/in/c', '/job/in/d', '/job/in/e'] });
      expect(ranking.files).toBe(5);
      expect(ranking.missing).toEqual([]);
      expect(summary(ranking)).toEqual([
        ['tape.example.org', 3, 800],
        // e is on shared.example.org outside both prefixes: the first SE of that host by name.
        ['atlas-disk', 2, 700],
        // b's two SURLs on disk1 (one by prefix, one by host with another port) count once.
        ['disk1.example.org', 2, 300],
        ['unknown.example.org', 1, 400],
        ['cms-disk', 1, 300],
        // Offline: last, whatever it holds.
        ['down.example.org', 3, 800],
      ]);
      const byName = new Map(ranking.ses.map((s) => [s.se, s]));
      expect(byName.get('tape.example.org')).toMatchObject({ registered: true, status: 'online', nearline: true, fraction: 0.6, protocols: ['root'] });
      expect(byName.get('disk1.example.org')).toMatchObject({ host: 'disk1.example.org', fraction: 0.4, protocols: ['https', 'root'] });
      expect(byName.get('atlas-disk')).toMatchObject({ host: 'shared.example.org' });
      expect(byName.get('unknown.example.org')).toMatchObject({ registered: false, status: 'unknown', protocols: [] });
      expect(byName.get('down.example.org')).toMatchObject({ status: 'offline' });
    });

    it('keeps only SEs offering a protocol the job can use, in the job order', async () => {
      const ranking = await rank({ lfns: ['/job/in/a', '/job/in/b', '/job/in/c', '/job/in/d'], protocols: ['file', 'root'] });
      expect(ranking.ses.map((s) => [s.se, s.protocols])).toEqual([
        ['tape.example.org', ['root']],
        ['disk1.example.org', ['root']],
        ['cms-disk', ['file']],
        ['atlas-disk', ['root']],
        ['down.example.org', ['root']],
      ]);
    });

    it('reports missing names once, as spelled, with fractions over found and missing alike', async () => {
      const ranking = await rank({
        lfns: ['lfn:/job/in/a', `guid:${guids.get('a')}`, '/job/in/a', '/job/in/none', 'lfn:///job/in/none', `guid:${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`, '/job/in', 'bogus', '/job/in/nothing'],
      });
      expect(ranking.files).toBe(2);
      expect(ranking.missing).toEqual(expect.arrayContaining(['/job/in/none', `guid:00000000-0000-0000-0000-000000000000`, '/job/in']));
      expect(ranking.missing).toHaveLength(3);
      expect(ranking.invalid).toMatchObject([{ name: 'bogus', error: { code: 'InvalidArgument' } }]);
      // Two files (a, and nothing which has no replica) plus three missing names: a is 1 of 5.
      expect(ranking.ses.find((s) => s.se === 'disk1.example.org')).toMatchObject({ files: 1, fraction: 0.2 });
    });

    it('follows symlinks, also in the middle of a path, counting a file reached twice once', async () => {
      const ranking = await rank({ lfns: ['/job/link-to-a', '/job/dir-link/b', '/job/in/b', `${guids.get('b')}`] });
      expect(ranking.files).toBe(2);
      expect(ranking.missing).toEqual([]);
      expect(ranking.ses.find((s) => s.se === 'disk1.example.org')).toMatchObject({ files: 2, bytes: 300, fraction: 1 });
    });

    it('hides what the caller may not read: such names are missing, exactly like unknown ones', async () => {
      // Open /job and /job/in for traversal, and a (only) for reading, to everyone.
      const set = await request(catalog.app)
        .post('/api/v1/permissions/set')
        .send({ items: [
          { lfn: '/job', mode: 'add', permission: { base: { other: ['execute'] } } },
          { lfn: '/job/in', mode: 'add', permission: { base: { other: ['execute'] } } },
          { lfn: '/job/in/a', mode: 'add', permission: { base: { other: ['read'] } } },
        ] });
      expect(codes((set.body as { results: ItemResult[] }).results)).toEqual(['ok', 'ok', 'ok']);
      const ranking = await rank({ lfns: ['/job/in/a', '/job/in/b', '/job/private/p', '/job/in/zzz', `guid:${guids.get('p')}`, '/job/link-to-a'] }, 'bob');
      expect(ranking.files).toBe(1);
      expect(ranking.missing.sort()).toEqual(['/job/in/b', '/job/in/zzz', '/job/private/p', `guid:${guids.get('p')}`].sort());
      expect(summary(ranking)).toEqual([
        ['disk1.example.org', 1, 100],
        ['tape.example.org', 1, 100],
        ['down.example.org', 1, 100],
      ]);
      // An administrator sees everything.
      expect((await rank({ lfns: ['/job/private/p'] }, 'admin')).files).toBe(1);
    });

    it('reports a file the caller may read behind a directory it may not traverse as missing, by LFN and by GUID', async () => {
      const [created] = await api.createFiles([{ lfn: '/job/private/open', size: 5, replicas: [{ surl: 'srm://disk1.example.org/dpm/open' }] }]);
      if (!created?.ok) throw new Error('could not create /job/private/open');
      const guid = (created.entry as { guid: string }).guid;
      const permit = async (lfn: string, right: string) => {
        const res = await request(catalog.app).post('/api/v1/permissions/set').send({ items: [{ lfn, mode: 'add', permission: { base: { other: [right] } } }] });
        expect(codes((res.body as { results: ItemResult[] }).results)).toEqual(['ok']);
      };
      await permit('/job', 'execute');
      await permit('/job/private/open', 'read');
      const names = { lfns: ['/job/private/open', `guid:${guid}`] };
      const hidden = await rank(names, 'bob');
      expect(hidden).toMatchObject({ ses: [], files: 0 });
      expect(hidden.missing.sort()).toEqual(['/job/private/open', `guid:${guid}`]);
      await permit('/job/private', 'execute');
      expect(await rank(names, 'bob')).toMatchObject({ ses: [{ se: 'disk1.example.org', files: 1, bytes: 5 }], files: 1, missing: [] });
    });

    it('reads text/plain bodies (one name a line) with protocols in the query', async () => {
      const res = await request(catalog.app)
        .post('/api/v1/storage-index/rank?protocols=file')
        .set('content-type', 'text/plain')
        .send('# inputs\n/job/in/c\r\n\nlfn:/job/in/b\n');
      expect(res.status).toBe(200);
      expect(summary(res.body as RankingView)).toEqual([['cms-disk', 1, 300]]);
    });

    it('counts only available replicas and leaves an SE holding nothing out', async () => {
      const ranking = await rank({ lfns: ['/job/in/nothing'] });
      expect(ranking).toMatchObject({ ses: [], files: 1, missing: [] });
    });

    it('refuses bad bodies with problem+json', async () => {
      const post = (body: string, type = 'application/json') => request(catalog.app).post('/api/v1/storage-index/rank').set('content-type', type).send(body);
      const cases: [string, string, number][] = [
        ['{"lfns": ["/a"', 'application/json', 400],
        ['{"lfns": "/a"}', 'application/json', 400],
        ['{"lfns": ["/a", 1]}', 'application/json', 400],
        ['{"lfns": ["/a"], "colour": "red"}', 'application/json', 400],
        ['{"protocols": ["root"]}', 'application/json', 400],
        ['{"lfns": ["/a"]} x', 'application/json', 400],
        ['{"lfns": ["/a"], "lfns": []}', 'application/json', 400],
        ['{"lfns": ["\u0001"]}', 'application/json', 400],
        ['{"lfns": ["/a"], "protocols": ["ROOT"]}', 'application/json', 400],
        ['["/a"]', 'application/json', 400],
        ['/a', 'application/xml', 415],
      ];
      for (const [body, type, status] of cases) {
        const res = await post(body, type);
        expect([body, res.status]).toEqual([body, status]);
        expect(res.type).toBe('application/problem+json');
      }
      const both = await request(catalog.app).post('/api/v1/storage-index/rank?protocols=root').send({ lfns: ['/a'], protocols: ['root'] });
      expect(both.status).toBe(400);
    });

    it('decodes JSON escapes, including ones split across chunks', async () => {
      const ranking = await rank(JSON.parse('{"lfns": ["\\/job\\/in\\/\\u0061", "/job/in/\\u0062"]}'));
      expect(ranking.files).toBe(2);
      const res = await request(catalog.app).post('/api/v1/storage-index/rank').set('content-type', 'application/json').send('{"lfns": ["\\/job\\/in\\/\\u0061", "/job/in/\\u0062"]}');
      expect((res.body as RankingView).files).toBe(2);
    });

    it('places a replica by the longest prefix when prefixes nest, and by host again once its SE is gone', async () => {
      const admin = asAdmin(catalog.app);
      const hot = await admin.post('/api/v1/storage-elements', { items: [seItem('atlas-hot', { host: 'shared.example.org', surlPrefixes: ['srm://shared.example.org/dpm/atlas/hot/'] })] });
      expect(codes((hot.body as { results: ItemResult[] }).results)).toEqual(['ok']);
      await api.createFiles([{ lfn: '/job/in/h', size: 7, replicas: [{ surl: 'srm://shared.example.org/dpm/atlas/hot/h' }, { surl: 'srm://shared.example.org/dpm/atlas/h2' }] }]);
      expect(summary(await rank({ lfns: ['/job/in/h'] }))).toEqual([
        ['atlas-disk', 1, 7],
        ['atlas-hot', 1, 7],
      ]);
      expect((await admin.delete('/api/v1/storage-elements/atlas-hot')).status).toBe(204);
      expect(summary(await rank({ lfns: ['/job/in/h'] }))).toEqual([['atlas-disk', 1, 7]]);
      expect((await admin.delete('/api/v1/storage-elements/atlas-disk')).status).toBe(204);
      // Without either, the host's remaining SE (first by name) holds them.
      expect(summary(await rank({ lfns: ['/job/in/h'] }))).toEqual([['cms-disk', 1, 7]]);
      expect((await admin.delete('/api/v1/storage-elements/cms-disk')).status).toBe(204);
      expect((await rank({ lfns: ['/job/in/h'] })).ses).toMatchObject([{ se: 'shared.example.org', registered: false, status: 'unknown', files: 1 }]);
    });
  });
});
