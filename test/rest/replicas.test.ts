import request from 'supertest';
import { catalogApi, codes, expectContract, startTestCatalog, type ItemResult, type TestCatalog } from '../support/test-catalog';

/** The fields of a replica these tests look at. */
interface ReplicaView {
  readonly surl: string;
  readonly se: string;
  readonly status: string;
  readonly master: boolean;
}

interface SeReplicaView extends ReplicaView {
  readonly guid: string;
  readonly lfn: string;
}

/** A field of a successful result; fails the test with the whole result when the item failed. */
function field<T>(result: ItemResult | undefined, name: string): T {
  if (result === undefined || !result.ok) throw new Error(`expected a success, got ${JSON.stringify(result)}`);
  return result[name] as T;
}

const guidOf = (result: ItemResult | undefined): string => field<{ guid: string }>(result, 'entry').guid;

describe('replicas over REST', () => {
  let catalog: TestCatalog;
  let api: ReturnType<typeof catalogApi>;

  beforeAll(async () => {
    catalog = await startTestCatalog();
    api = catalogApi(catalog.app);
    await api.mkdir('/r/add', '/r/rm', '/r/master', '/r/list', '/r/lookup', '/r/se', '/r/a-directory');
  });
  afterAll(() => catalog.close());

  /** The replicas of one file, master first, as `[surl, master]` pairs. */
  const replicasOf = async (ref: { lfn: string } | { guid: string }): Promise<[string, boolean][]> => {
    const [listed] = await api.listReplicas([ref]);
    return field<ReplicaView[]>(listed, 'replicas').map((r) => [r.surl, r.master]);
  };

  const newFile = async (lfn: string, replicas: readonly string[] = []): Promise<string> => {
    const [created] = await api.createFiles([{ lfn, replicas: replicas.map((surl) => ({ surl })) }]);
    return guidOf(created);
  };

  describe('add', () => {
    it('adds by LFN and by GUID with or without the guid: prefix; the first replica becomes master, later ones do not', async () => {
      const guid = await newFile('/r/add/f1');
      const [first] = await api.addReplicas([{ lfn: '/r/add/f1', surl: 'srm://se1.example.org/add/f1' }]);
      expect(first).toMatchObject({
        ok: true,
        replica: { surl: 'srm://se1.example.org/add/f1', se: 'se1.example.org', status: 'available', master: true },
      });
      const later = await api.addReplicas([
        { guid, surl: 'srm://se2.example.org/add/f1' },
        { guid: `guid:${guid}`, surl: 'gsiftp://SE3.Example.org:2811/add/f1' },
        { guid: `GUID:${guid.toUpperCase()}`, surl: 'root://se4.example.org//add/f1' },
      ]);
      expect(later).toMatchObject([
        { ok: true, replica: { surl: 'srm://se2.example.org/add/f1', master: false } },
        { ok: true, replica: { surl: 'gsiftp://SE3.Example.org:2811/add/f1', se: 'se3.example.org', master: false } },
        { ok: true, replica: { surl: 'root://se4.example.org//add/f1', master: false } },
      ]);
      // The master first; the three added in one request share a registration time, so their order is not asserted.
      const [master, ...others] = await replicasOf({ lfn: '/r/add/f1' });
      expect(master).toEqual(['srm://se1.example.org/add/f1', true]);
      expect(others.sort()).toEqual([
        ['gsiftp://SE3.Example.org:2811/add/f1', false],
        ['root://se4.example.org//add/f1', false],
        ['srm://se2.example.org/add/f1', false],
      ]);
    });

    it('makes the first item of a request the master of a file that had no replica', async () => {
      await newFile('/r/add/f2');
      const results = await api.addReplicas([
        { lfn: '/r/add/f2', surl: 'srm://se1.example.org/add/f2-b' },
        { lfn: '/r/add/f2', surl: 'srm://se1.example.org/add/f2-a' },
      ]);
      expect(results).toMatchObject([{ ok: true, replica: { master: true } }, { ok: true, replica: { master: false } }]);
      expect(await replicasOf({ lfn: '/r/add/f2' })).toEqual([
        ['srm://se1.example.org/add/f2-b', true],
        ['srm://se1.example.org/add/f2-a', false],
      ]);
    });

    it('adds through a symlink to the file', async () => {
      await newFile('/r/add/f3', ['srm://se1.example.org/add/f3-1']);
      await api.symlink('/r/add/f3-link', '/r/add/f3');
      expect(codes(await api.addReplicas([{ lfn: '/r/add/f3-link', surl: 'srm://se1.example.org/add/f3-2' }]))).toEqual(['ok']);
      expect(await replicasOf({ lfn: '/r/add/f3' })).toEqual([
        ['srm://se1.example.org/add/f3-1', true],
        ['srm://se1.example.org/add/f3-2', false],
      ]);
    });

    it('with master:true makes the new replica the master and demotes the old one', async () => {
      await newFile('/r/master/m1', ['srm://se1.example.org/m1-old', 'srm://se2.example.org/m1-other']);
      const [added] = await api.addReplicas([{ lfn: '/r/master/m1', surl: 'srm://se3.example.org/m1-new', master: true }]);
      expect(added).toMatchObject({ ok: true, replica: { surl: 'srm://se3.example.org/m1-new', master: true } });
      const replicas = await replicasOf({ lfn: '/r/master/m1' });
      expect(replicas[0]).toEqual(['srm://se3.example.org/m1-new', true]);
      expect(replicas.filter(([, master]) => master)).toHaveLength(1);
      expect(new Map(replicas).get('srm://se1.example.org/m1-old')).toBe(false);
    });

    it('lets the last of several items marking a master for one file win', async () => {
      await newFile('/r/master/m2', ['srm://se1.example.org/m2-0']);
      const results = await api.addReplicas([
        { lfn: '/r/master/m2', surl: 'srm://se1.example.org/m2-1', master: true },
        { lfn: '/r/master/m2', surl: 'srm://se1.example.org/m2-2' },
        { lfn: '/r/master/m2', surl: 'srm://se1.example.org/m2-3', master: true },
      ]);
      expect(codes(results)).toEqual(['ok', 'ok', 'ok']);
      expect(results[2]).toMatchObject({ replica: { master: true } });
      const replicas = await replicasOf({ lfn: '/r/master/m2' });
      expect(replicas[0]).toEqual(['srm://se1.example.org/m2-3', true]);
      expect(replicas.filter(([, master]) => master)).toHaveLength(1);
      expect(replicas).toHaveLength(4);
    });

    it('answers Exists for a SURL the file already has, or that is named twice in one request', async () => {
      await newFile('/r/add/dup', ['srm://se1.example.org/add/dup-1']);
      const results = await api.addReplicas([
        { lfn: '/r/add/dup', surl: 'srm://se1.example.org/add/dup-1' },
        { lfn: '/r/add/dup', surl: 'srm://se1.example.org/add/dup-2' },
        { lfn: '/r/add/dup', surl: 'srm://se1.example.org/add/dup-2' },
        { lfn: '/r/add/dup', surl: 'srm://se1.example.org/add/dup-1', master: true },
      ]);
      expect(codes(results)).toEqual(['Exists', 'ok', 'Exists', 'Exists']);
      expect(await replicasOf({ lfn: '/r/add/dup' })).toEqual([
        ['srm://se1.example.org/add/dup-1', true],
        ['srm://se1.example.org/add/dup-2', false],
      ]);
    });

    it('answers Exists for a SURL registered to another file, which keeps it', async () => {
      const ownerGuid = await newFile('/r/add/owner', ['srm://se1.example.org/add/owned']);
      await newFile('/r/add/thief', ['srm://se1.example.org/add/thief-1']);
      const results = await api.addReplicas([
        { lfn: '/r/add/thief', surl: 'srm://se1.example.org/add/owned' },
        { lfn: '/r/add/thief', surl: 'srm://se1.example.org/add/owned', master: true },
      ]);
      expect(codes(results)).toEqual(['Exists', 'Exists']);
      expect(await api.lookupGuids([{ surl: 'srm://se1.example.org/add/owned' }])).toEqual([
        { ok: true, guid: ownerGuid, lfn: '/r/add/owner' },
      ]);
      expect(await replicasOf({ lfn: '/r/add/owner' })).toEqual([['srm://se1.example.org/add/owned', true]]);
      expect(await replicasOf({ lfn: '/r/add/thief' })).toEqual([['srm://se1.example.org/add/thief-1', true]]);
    });

    it('answers IsADirectory, NotExists and InvalidArgument per item', async () => {
      const results = await api.addReplicas([
        { lfn: '/r/a-directory', surl: 'srm://se1.example.org/add/dir' },
        { lfn: '/r/add/no-such-file', surl: 'srm://se1.example.org/add/nofile' },
        { guid: '00000000-0000-4000-8000-000000000001', surl: 'srm://se1.example.org/add/noguid' },
        { lfn: '/r/add/f1', surl: 'no scheme at all' },
        { lfn: '/r/add/f1', surl: 'srm:///no/host' },
        { lfn: '/r/add/f1', surl: 'srm://se1.example.org/with space' },
        { guid: 'not-a-guid', surl: 'srm://se1.example.org/add/badguid' },
        { lfn: 'relative/lfn', surl: 'srm://se1.example.org/add/badlfn' },
        { lfn: '/r/add/f1', surl: 'srm://se1.example.org/add/f1-ok' },
      ]);
      expect(codes(results)).toEqual([
        'IsADirectory',
        'NotExists',
        'NotExists',
        'InvalidArgument',
        'InvalidArgument',
        'InvalidArgument',
        'InvalidArgument',
        'InvalidArgument',
        'ok',
      ]);
      // None of the refused SURLs was registered.
      const lookups = await api.lookupGuids(
        ['dir', 'nofile', 'noguid', 'badguid', 'badlfn'].map((name) => ({ surl: `srm://se1.example.org/add/${name}` })),
      );
      expect(codes(lookups)).toEqual(['NotExists', 'NotExists', 'NotExists', 'NotExists', 'NotExists']);
    });
  });

  describe('remove', () => {
    it('removes by LFN and by GUID', async () => {
      const guid = await newFile('/r/rm/f1', ['srm://se1.example.org/rm/f1-1', 'srm://se1.example.org/rm/f1-2', 'srm://se1.example.org/rm/f1-3']);
      const results = await api.removeReplicas([
        { lfn: '/r/rm/f1', surl: 'srm://se1.example.org/rm/f1-2' },
        { guid: `guid:${guid}`, surl: 'srm://se1.example.org/rm/f1-3' },
      ]);
      expect(results).toEqual([{ ok: true }, { ok: true }]);
      expect(await replicasOf({ guid })).toEqual([['srm://se1.example.org/rm/f1-1', true]]);
      expect(codes(await api.lookupGuids([{ surl: 'srm://se1.example.org/rm/f1-2' }]))).toEqual(['NotExists']);
    });

    it('promotes the oldest remaining replica when the master goes', async () => {
      // Registered one request at a time, in an order that is not SURL order.
      await newFile('/r/rm/f2', ['srm://se1.example.org/rm/z-first']);
      for (const surl of ['srm://se1.example.org/rm/m-second', 'srm://se1.example.org/rm/a-third']) {
        expect(codes(await api.addReplicas([{ lfn: '/r/rm/f2', surl }]))).toEqual(['ok']);
      }
      expect(codes(await api.removeReplicas([{ lfn: '/r/rm/f2', surl: 'srm://se1.example.org/rm/z-first' }]))).toEqual(['ok']);
      expect(await replicasOf({ lfn: '/r/rm/f2' })).toEqual([
        ['srm://se1.example.org/rm/m-second', true],
        ['srm://se1.example.org/rm/a-third', false],
      ]);
      // Removing a replica that is not the master leaves the master alone.
      expect(codes(await api.removeReplicas([{ lfn: '/r/rm/f2', surl: 'srm://se1.example.org/rm/a-third' }]))).toEqual(['ok']);
      expect(await replicasOf({ lfn: '/r/rm/f2' })).toEqual([['srm://se1.example.org/rm/m-second', true]]);
    });

    it('promotes among the replicas that remain when the master and others go in one request', async () => {
      await newFile('/r/rm/f5', ['srm://se1.example.org/rm/f5-1']);
      for (const n of [2, 3, 4]) await api.addReplicas([{ lfn: '/r/rm/f5', surl: `srm://se1.example.org/rm/f5-${n}` }]);
      const results = await api.removeReplicas([
        { lfn: '/r/rm/f5', surl: 'srm://se1.example.org/rm/f5-2' },
        { lfn: '/r/rm/f5', surl: 'srm://se1.example.org/rm/f5-1' },
      ]);
      expect(codes(results)).toEqual(['ok', 'ok']);
      expect(await replicasOf({ lfn: '/r/rm/f5' })).toEqual([
        ['srm://se1.example.org/rm/f5-3', true],
        ['srm://se1.example.org/rm/f5-4', false],
      ]);
    });

    it('answers NotExists for an unknown SURL, a SURL of another file, a SURL named twice, and an unknown file', async () => {
      await newFile('/r/rm/f3', ['srm://se1.example.org/rm/f3-1', 'srm://se1.example.org/rm/f3-2']);
      const otherGuid = await newFile('/r/rm/other', ['srm://se1.example.org/rm/other-1']);
      const results = await api.removeReplicas([
        { lfn: '/r/rm/f3', surl: 'srm://se1.example.org/rm/never-registered' },
        { lfn: '/r/rm/f3', surl: 'srm://se1.example.org/rm/other-1' },
        { lfn: '/r/rm/f3', surl: 'srm://se1.example.org/rm/f3-2' },
        { lfn: '/r/rm/f3', surl: 'srm://se1.example.org/rm/f3-2' },
        { lfn: '/r/rm/no-such-file', surl: 'srm://se1.example.org/rm/f3-1' },
        { lfn: '/r/rm/f3', surl: 'not a surl' },
      ]);
      expect(codes(results)).toEqual(['NotExists', 'NotExists', 'ok', 'NotExists', 'NotExists', 'InvalidArgument']);
      expect(await replicasOf({ guid: otherGuid })).toEqual([['srm://se1.example.org/rm/other-1', true]]);
      expect(await replicasOf({ lfn: '/r/rm/f3' })).toEqual([['srm://se1.example.org/rm/f3-1', true]]);
    });

    it('leaves a file with no replicas when the last one goes', async () => {
      const guid = await newFile('/r/rm/f4', ['srm://se1.example.org/rm/f4-only']);
      expect(await api.removeReplicas([{ guid, surl: 'srm://se1.example.org/rm/f4-only' }])).toEqual([{ ok: true }]);
      expect(await api.listReplicas([{ lfn: '/r/rm/f4' }])).toEqual([{ ok: true, guid, replicas: [] }]);
      expect(await api.statOne('/r/rm/f4')).toMatchObject({ ok: true, entry: { kind: 'file', guid } });
      // The next replica registered is the master again.
      expect(await api.addReplicas([{ guid, surl: 'srm://se1.example.org/rm/f4-next' }])).toMatchObject([
        { ok: true, replica: { master: true } },
      ]);
    });
  });

  describe('set-master', () => {
    it('makes an existing replica the master, leaving exactly one', async () => {
      const guid = await newFile('/r/master/s1', ['srm://se1.example.org/s1-a', 'srm://se2.example.org/s1-b', 'srm://se3.example.org/s1-c']);
      const [set] = await api.setMaster([{ guid, surl: 'srm://se3.example.org/s1-c' }]);
      expect(set).toMatchObject({ ok: true, replica: { surl: 'srm://se3.example.org/s1-c', master: true } });
      const replicas = await replicasOf({ lfn: '/r/master/s1' });
      expect(replicas[0]).toEqual(['srm://se3.example.org/s1-c', true]);
      expect(replicas.filter(([, master]) => master)).toHaveLength(1);

      // Setting the master that already is one is fine, by LFN too.
      expect(await api.setMaster([{ lfn: '/r/master/s1', surl: 'srm://se3.example.org/s1-c' }])).toMatchObject([
        { ok: true, replica: { master: true } },
      ]);
      expect((await replicasOf({ guid })).filter(([, master]) => master)).toEqual([['srm://se3.example.org/s1-c', true]]);
    });

    it('answers NotExists for a SURL that is not a replica of that file, changing nothing', async () => {
      await newFile('/r/master/s2', ['srm://se1.example.org/s2-a', 'srm://se1.example.org/s2-b']);
      await newFile('/r/master/s2-other', ['srm://se1.example.org/s2-other']);
      const results = await api.setMaster([
        { lfn: '/r/master/s2', surl: 'srm://se1.example.org/s2-other' },
        { lfn: '/r/master/s2', surl: 'srm://se1.example.org/never-registered' },
        { lfn: '/r/master/no-such-file', surl: 'srm://se1.example.org/s2-b' },
      ]);
      expect(codes(results)).toEqual(['NotExists', 'NotExists', 'NotExists']);
      expect(await replicasOf({ lfn: '/r/master/s2' })).toEqual([
        ['srm://se1.example.org/s2-a', true],
        ['srm://se1.example.org/s2-b', false],
      ]);
      expect(await replicasOf({ lfn: '/r/master/s2-other' })).toEqual([['srm://se1.example.org/s2-other', true]]);
    });
  });

  describe('list', () => {
    it('lists the master first, then the others by registration', async () => {
      const [created] = await api.createFiles([
        {
          lfn: '/r/list/f1',
          replicas: [{ surl: 'srm://se1.example.org/list/f1-a' }, { surl: 'srm://se2.example.org/list/f1-b' }, { surl: 'srm://se3.example.org/list/f1-c', master: true }],
        },
      ]);
      const guid = guidOf(created);
      await api.addReplicas([{ guid, surl: 'srm://se4.example.org/list/f1-d' }]);
      const [listed] = await api.listReplicas([{ lfn: '/r/list/f1' }]);
      expect(listed).toMatchObject({ ok: true, guid });
      const replicas = field<ReplicaView[]>(listed, 'replicas');
      expect(replicas[0]).toMatchObject({ surl: 'srm://se3.example.org/list/f1-c', se: 'se3.example.org', master: true, status: 'available' });
      expect(replicas.slice(1).map((r) => r.master)).toEqual([false, false, false]);
      expect(replicas.at(-1)!.surl).toBe('srm://se4.example.org/list/f1-d');
      expect(new Set(replicas.map((r) => r.surl)).size).toBe(4);
    });

    it('lists each replica exactly as it was registered, times included', async () => {
      const [created] = await api.createFiles([{ lfn: '/r/list/f3' }]);
      const guid = guidOf(created);
      const [added] = await api.addReplicas([{ guid, surl: 'srm://se1.example.org/list/f3?x="y"\\z' }]);
      const [listed] = await api.listReplicas([{ guid }]);
      expect(field<ReplicaView[]>(listed, 'replicas')).toEqual([field<ReplicaView>(added, 'replica')]);
    });

    it('answers a mixed batch in request order', async () => {
      const guid = await newFile('/r/list/f2', ['srm://se1.example.org/list/f2']);
      const results = await api.listReplicas([
        { lfn: '/r/list/f2' },
        { lfn: '/r/list/missing' },
        { guid: `guid:${guid.toUpperCase()}` },
        { lfn: '/r/a-directory' },
        { guid: '00000000-0000-4000-8000-000000000002' },
        { lfn: '/r/list/f1' },
      ]);
      expect(codes(results)).toEqual(['ok', 'NotExists', 'ok', 'IsADirectory', 'NotExists', 'ok']);
      expect(results[0]).toEqual(results[2]);
      expect(results[0]).toMatchObject({ guid, replicas: [{ surl: 'srm://se1.example.org/list/f2', master: true }] });
      expect(field<ReplicaView[]>(results[5], 'replicas')).toHaveLength(4);
    });
  });

  describe('guids/lookup', () => {
    it('answers the GUID (and the real LFN) of an LFN, also through a symlink', async () => {
      const guid = await newFile('/r/lookup/f1', ['srm://se1.example.org/lookup/f1']);
      await api.symlink('/r/lookup/link', '/r/lookup/f1');
      await api.symlink('/r/lookup/dirlink', '/r/lookup');
      const results = await api.lookupGuids([{ lfn: '/r/lookup/f1' }, { lfn: '/r/lookup/link' }, { lfn: '/r/lookup/dirlink/f1' }]);
      expect(results).toEqual([
        { ok: true, guid, lfn: '/r/lookup/f1' },
        { ok: true, guid, lfn: '/r/lookup/f1' },
        { ok: true, guid, lfn: '/r/lookup/f1' },
      ]);
    });

    it('answers the GUID and LFN of a SURL, and NotExists for what is not there', async () => {
      const guid = await newFile('/r/lookup/f2', ['srm://se1.example.org/lookup/f2-a', 'srm://se2.example.org/lookup/f2-b']);
      const results = await api.lookupGuids([
        { surl: 'srm://se2.example.org/lookup/f2-b' },
        { surl: 'srm://se1.example.org/lookup/unknown' },
        { lfn: '/r/lookup/missing' },
        { lfn: '/r/a-directory' },
        { surl: 'not a surl' },
        { surl: 'srm://se1.example.org/lookup/f2-a' },
      ]);
      expect(codes(results)).toEqual(['ok', 'NotExists', 'NotExists', 'IsADirectory', 'InvalidArgument', 'ok']);
      expect(results[0]).toEqual({ ok: true, guid, lfn: '/r/lookup/f2' });
      expect(results[5]).toEqual({ ok: true, guid, lfn: '/r/lookup/f2' });
    });
  });

  describe('per-SE listing', () => {
    const SE = 'pager.example.org';
    let expected: { surl: string; guid: string; lfn: string }[];

    beforeAll(async () => {
      // Seven replicas on the SE, over three files, registered out of SURL order and with mixed host case.
      const files: { lfn: string; surls: string[] }[] = [
        { lfn: '/r/se/f1', surls: ['srm://pager.example.org/data/q', 'srm://other.example.org/data/q', 'srm://pager.example.org/data/c'] },
        { lfn: '/r/se/f2', surls: ['srm://PAGER.Example.org:8446/data/x', 'srm://pager.example.org/data/a'] },
        {
          lfn: '/r/se/f3',
          surls: ['gsiftp://pager.example.org/data/m', 'srm://pager.example.org/data/zz', 'srm://pager.example.org.evil/data/b', 'srm://Pager.example.org/data/k'],
        },
      ];
      expected = [];
      for (const file of files) {
        const guid = await newFile(file.lfn, file.surls);
        for (const surl of file.surls) if (new URL(surl).hostname.toLowerCase() === SE) expected.push({ surl, guid, lfn: file.lfn });
      }
      expected.sort((a, b) => (a.surl < b.surl ? -1 : a.surl > b.surl ? 1 : 0));
      expect(expected).toHaveLength(7);
    });

    const page = async (query: Record<string, string | number>): Promise<{ replicas: SeReplicaView[]; next: string | null }> => {
      const res = await request(catalog.app).get('/api/v1/replicas').query(query);
      expect(res.status).toBe(200);
      expectContract('SeReplicaPage', res.body);
      return res.body as { replicas: SeReplicaView[]; next: string | null };
    };

    it('pages through every replica on the SE by SURL, each with its LFN and GUID, whatever the case of the SE name', async () => {
      const seen: SeReplicaView[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      let round = 0;
      do {
        // The SE name is case-insensitive, also between the pages of one listing.
        const se = round % 2 === 0 ? 'PAGER.Example.ORG' : SE;
        const body: { replicas: SeReplicaView[]; next: string | null } = await page({ se, limit: 3, ...(cursor !== null ? { cursor } : {}) });
        seen.push(...body.replicas);
        sizes.push(body.replicas.length);
        cursor = body.next;
        round += 1;
      } while (cursor !== null && round < 10);
      expect(sizes).toEqual([3, 3, 1]);
      expect(seen.map(({ surl, guid, lfn }) => ({ surl, guid, lfn }))).toEqual(expected);
      seen.forEach((r) => expect(r).toMatchObject({ se: SE, status: 'available' }));
      expect(seen.filter((r) => r.master).map((r) => r.surl).sort()).toEqual([
        'gsiftp://pager.example.org/data/m',
        'srm://PAGER.Example.org:8446/data/x',
        'srm://pager.example.org/data/q',
      ]);
    });

    it('answers a last page with next: null when the page is exactly full', async () => {
      const all = await page({ se: SE, limit: 7 });
      expect(all.replicas.map((r) => r.surl)).toEqual(expected.map((e) => e.surl));
      expect(all.next).toBeNull();
      const byDefault = await page({ se: SE });
      expect(byDefault).toEqual(all);
    });

    it('refuses a cursor of another SE', async () => {
      const first = await page({ se: SE, limit: 1 });
      expect(first.next).not.toBeNull();
      const res = await request(catalog.app).get('/api/v1/replicas').query({ se: 'other.example.org', cursor: first.next! });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'InvalidArgument' });
    });

    it('answers an empty page with next: null for an SE with nothing on it', async () => {
      expect(await page({ se: 'empty.example.org' })).toEqual({ replicas: [], next: null });
      expect(await page({ se: 'pager.example' })).toEqual({ replicas: [], next: null });
    });

    it('follows replicas as they are removed and files as they move', async () => {
      await api.removeReplicas([{ lfn: '/r/se/f2', surl: 'srm://pager.example.org/data/a' }]);
      await api.move([{ from: '/r/se/f3', to: '/r/se/f3-moved' }]);
      const all = await page({ se: SE });
      expect(all.replicas.map((r) => r.surl)).toEqual(expected.map((e) => e.surl).filter((s) => s !== 'srm://pager.example.org/data/a'));
      expect(all.replicas.find((r) => r.surl === 'srm://pager.example.org/data/zz')).toMatchObject({ lfn: '/r/se/f3-moved' });
    });
  });
});

describe('replicas/list streamed as NDJSON', () => {
  let catalog: TestCatalog;
  let api: ReturnType<typeof catalogApi>;

  beforeAll(async () => {
    // A small item limit: the stream must carry more items than one JSON request may.
    catalog = await startTestCatalog({ maxItems: 3 });
    api = catalogApi(catalog.app);
    await api.mkdir('/s');
    await api.createFiles([0, 1, 2].map((i) => ({ lfn: `/s/f${i}`, replicas: [{ surl: `srm://se${i}.example.org/s/f${i}` }] })));
    await api.createFiles([3, 4].map((i) => ({ lfn: `/s/f${i}`, replicas: [{ surl: `srm://se${i}.example.org/s/f${i}` }] })));
  });
  afterAll(() => catalog.close());

  const stream = (body: string) =>
    request(catalog.app).post('/api/v1/replicas/list').set('content-type', 'application/x-ndjson').send(body);

  it('answers one result a line, in order, for more items than a JSON request may carry, bad lines failing alone', async () => {
    const lines = [
      ...[0, 1, 2, 3, 4].map((i) => JSON.stringify({ lfn: `/s/f${i}` })),
      '',
      JSON.stringify({ lfn: '/s/missing' }),
      '{not json',
      JSON.stringify({ lfn: '/s/f0', guid: '6f1c8e0a-3c1d-4b7e-9b0a-2f4d5e6a7b8c' }),
      JSON.stringify({ lfn: '/s/f4' }),
    ];
    const res = await stream(`${lines.join('\n')}\n`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const results = res.text.trimEnd().split('\n').map((line) => JSON.parse(line) as ItemResult);
    expect(codes(results)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'NotExists', 'InvalidArgument', 'InvalidArgument', 'ok']);
    for (const r of results) expectContract('ReplicaListResults', { results: [r] });
    expect(field<ReplicaView[]>(results[4], 'replicas').map((r) => r.surl)).toEqual(['srm://se4.example.org/s/f4']);
    expect(field<ReplicaView[]>(results[8], 'replicas').map((r) => r.surl)).toEqual(['srm://se4.example.org/s/f4']);
  });

  it('answers an empty body with an empty stream, and refuses compressed NDJSON', async () => {
    const empty = await stream('');
    expect(empty.status).toBe(200);
    expect(empty.text).toBe('');
    const compressed = await request(catalog.app)
      .post('/api/v1/replicas/list')
      .set('content-type', 'application/x-ndjson')
      .set('content-encoding', 'gzip')
      .send('x');
    expect(compressed.status).toBe(415);
  });

  it('keeps the JSON form limited to the configured number of items', async () => {
    const res = await request(catalog.app)
      .post('/api/v1/replicas/list')
      .send({ items: [0, 1, 2, 3].map((i) => ({ lfn: `/s/f${i}` })) });
    expect(res.status).toBe(413);
  });
});
