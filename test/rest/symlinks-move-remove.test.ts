import request from 'supertest';
import { catalogApi, codes, expectContract, startTestCatalog, type ItemResult, type TestCatalog } from '../support/test-catalog';

/** The fields of an entry these tests look at. */
interface EntryView {
  readonly lfn: string;
  readonly kind: 'directory' | 'file' | 'symlink';
  readonly guid?: string;
  readonly target?: string;
}

interface ReplicaView {
  readonly surl: string;
  readonly se: string;
  readonly master: boolean;
}

/** A field of a successful result; fails the test with the whole result when the item failed. */
function field<T>(result: ItemResult | undefined, name: string): T {
  if (result === undefined || !result.ok) throw new Error(`expected a success, got ${JSON.stringify(result)}`);
  return result[name] as T;
}

const entryOf = (result: ItemResult | undefined): EntryView => field<EntryView>(result, 'entry');
const guidOf = (result: ItemResult | undefined): string => {
  const guid = entryOf(result).guid;
  if (guid === undefined) throw new Error(`expected a file entry, got ${JSON.stringify(result)}`);
  return guid;
};

describe('symlinks, move and remove over REST', () => {
  let catalog: TestCatalog;
  let api: ReturnType<typeof catalogApi>;

  beforeAll(async () => {
    catalog = await startTestCatalog();
    api = catalogApi(catalog.app);
  });
  afterAll(() => catalog.close());

  const listNames = async (lfn: string, limit?: number, cursor?: string): Promise<{ lfns: string[]; next: string | null }> => {
    const res = await request(catalog.app)
      .get('/api/v1/directories/entries')
      .query({ lfn, ...(limit !== undefined ? { limit } : {}), ...(cursor !== undefined ? { cursor } : {}) });
    expect(res.status).toBe(200);
    expectContract('EntryPage', res.body);
    const body = res.body as { entries: EntryView[]; next: string | null };
    return { lfns: body.entries.map((e) => e.lfn), next: body.next };
  };

  describe('symlinks', () => {
    let fileGuid: string;

    beforeAll(async () => {
      expect(codes(await api.mkdir('/sl/real/dir', '/sl/hop', '/sl/dhop'))).toEqual(['ok', 'ok', 'ok']);
      const [file] = await api.createFiles([{ lfn: '/sl/real/file', size: 42, replicas: [{ surl: 'srm://sl.example.org/real/file' }] }]);
      fileGuid = guidOf(file);
    });

    it('follows a chain of three links to the final file, and describes the link itself with follow:false', async () => {
      const made = await Promise.all([
        api.symlink('/sl/c1', '/sl/c2'),
        api.symlink('/sl/c2', '/sl/c3'),
        api.symlink('/sl/c3', '/sl/real/file'),
      ]);
      expect(codes(made.flat())).toEqual(['ok', 'ok', 'ok']);

      const followed = await api.statOne('/sl/c1');
      expect(followed).toMatchObject({ ok: true, entry: { lfn: '/sl/real/file', kind: 'file', guid: fileGuid, size: 42 } });
      expect(await api.statOne('/sl/c1')).toEqual(await api.statOne('/sl/real/file'));

      const [byDefault, asked] = await api.stat([{ lfn: '/sl/c2' }, { lfn: '/sl/c3', follow: true }]);
      expect(entryOf(byDefault)).toMatchObject({ kind: 'file', guid: fileGuid });
      expect(entryOf(asked)).toMatchObject({ kind: 'file', guid: fileGuid });

      const itself = await api.statOne('/sl/c1', false);
      expect(itself).toMatchObject({ ok: true, entry: { lfn: '/sl/c1', kind: 'symlink', target: '/sl/c2' } });
      expect(itself).not.toHaveProperty('entry.guid');
    });

    it('uses a link to a link to a directory as that directory in the middle of paths', async () => {
      expect(codes(await api.symlink('/sl/linkdir', '/sl/linkdir2'))).toEqual(['ok']);
      expect(codes(await api.symlink('/sl/linkdir2', '/sl/real/dir'))).toEqual(['ok']);

      const [created] = await api.createFiles([{ lfn: '/sl/linkdir/newfile', size: 7 }]);
      expect(created).toMatchObject({ ok: true, entry: { lfn: '/sl/real/dir/newfile', kind: 'file', size: 7 } });
      const guid = guidOf(created);

      const real = await api.statOne('/sl/real/dir/newfile');
      expect(real).toMatchObject({ ok: true, entry: { lfn: '/sl/real/dir/newfile', guid } });
      expect(await api.statOne('/sl/linkdir/newfile')).toEqual(real);
      expect(await api.statOne('/sl/linkdir2/newfile', false)).toEqual(real);

      // The followed link is a directory everywhere a directory is expected.
      expect(await api.statOne('/sl/linkdir')).toMatchObject({ ok: true, entry: { lfn: '/sl/real/dir', kind: 'directory' } });
      expect((await listNames('/sl/linkdir')).lfns).toEqual(['/sl/real/dir/newfile']);
      expect(await api.mkdir('/sl/linkdir/sub')).toMatchObject([{ ok: true, entry: { lfn: '/sl/real/dir/sub', kind: 'directory' } }]);
    });

    it('creates a dangling link: following it is NotExists, follow:false describes it, and it resolves once the target appears', async () => {
      const [made] = await api.symlink('/sl/dangling', '/sl/later');
      expect(made).toMatchObject({ ok: true, entry: { lfn: '/sl/dangling', kind: 'symlink', target: '/sl/later' } });
      const [deep] = await api.symlink('/sl/dangling-deep', '/sl/no/such/dir/at/all');
      expect(deep).toMatchObject({ ok: true, entry: { kind: 'symlink', target: '/sl/no/such/dir/at/all' } });

      const results = await api.stat([
        { lfn: '/sl/dangling' },
        { lfn: '/sl/dangling', follow: false },
        { lfn: '/sl/dangling-deep' },
        { lfn: '/sl/dangling-deep', follow: false },
        { lfn: '/sl/dangling/below' },
      ]);
      expect(codes(results)).toEqual(['NotExists', 'ok', 'NotExists', 'ok', 'NotExists']);
      expect(entryOf(results[1])).toMatchObject({ lfn: '/sl/dangling', kind: 'symlink', target: '/sl/later' });

      const [later] = await api.createFiles([{ lfn: '/sl/later' }]);
      expect(await api.statOne('/sl/dangling')).toMatchObject({ ok: true, entry: { lfn: '/sl/later', kind: 'file', guid: guidOf(later) } });
    });

    it('answers Loop for a link to itself and for two links pointing at each other', async () => {
      expect(codes(await api.symlink('/sl/self', '/sl/self'))).toEqual(['ok']);
      expect(codes(await api.symlink('/sl/ping', '/sl/pong'))).toEqual(['ok']);
      expect(codes(await api.symlink('/sl/pong', '/sl/ping'))).toEqual(['ok']);

      const results = await api.stat([
        { lfn: '/sl/self' },
        { lfn: '/sl/ping' },
        { lfn: '/sl/pong' },
        { lfn: '/sl/self/below' },
        { lfn: '/sl/ping/a/b' },
        { lfn: '/sl/self', follow: false },
        { lfn: '/sl/ping', follow: false },
      ]);
      expect(codes(results)).toEqual(['Loop', 'Loop', 'Loop', 'Loop', 'Loop', 'ok', 'ok']);
      expect(entryOf(results[5])).toMatchObject({ kind: 'symlink', target: '/sl/self' });
      expect(entryOf(results[6])).toMatchObject({ kind: 'symlink', target: '/sl/pong' });

      // Creating through a looping link fails the same way.
      expect(codes(await api.createFiles([{ lfn: '/sl/ping/f' }]))).toEqual(['Loop']);
    });

    it('follows a chain of exactly 16 links and answers Loop at 17, counting links in the middle of a path too', async () => {
      const hop = (dir: string, n: number): string => `${dir}/h${String(n).padStart(2, '0')}`;
      // /sl/hop/h01 → h02 → … → h16 → the file: 16 links followed. h00 → h01 makes 17.
      // /sl/dhop/h01 → … → h16 → /sl/real/dir, used as a directory.
      const links: { lfn: string; target: string }[] = [];
      for (const [dir, last] of [
        ['/sl/hop', '/sl/real/file'],
        ['/sl/dhop', '/sl/real/dir'],
      ] as const) {
        for (let n = 0; n <= 16; n += 1) links.push({ lfn: hop(dir, n), target: n === 16 ? last : hop(dir, n + 1) });
      }
      for (const link of links) expect(codes(await api.symlink(link.lfn, link.target))).toEqual(['ok']);

      const results = await api.stat([
        { lfn: '/sl/hop/h01' },
        { lfn: '/sl/hop/h00' },
        { lfn: '/sl/dhop/h01/newfile' },
        { lfn: '/sl/dhop/h00/newfile' },
        { lfn: '/sl/hop/h00', follow: false },
      ]);
      expect(codes(results)).toEqual(['ok', 'Loop', 'ok', 'Loop', 'ok']);
      expect(entryOf(results[0])).toMatchObject({ lfn: '/sl/real/file', guid: fileGuid });
      expect(entryOf(results[2])).toMatchObject({ lfn: '/sl/real/dir/newfile', kind: 'file' });
      expect(entryOf(results[4])).toMatchObject({ kind: 'symlink', target: '/sl/hop/h01' });
    });

    it('refuses a target that is not an absolute, normalized LFN, and creates nothing', async () => {
      const [relative] = await api.symlink('/sl/bad1', 'relative/target');
      const [dotdot] = await api.symlink('/sl/bad2', '/sl/real/../file');
      const [empty] = await api.symlink('/sl/bad3', '/sl//file');
      expect(codes([relative!, dotdot!, empty!])).toEqual(['InvalidArgument', 'InvalidArgument', 'InvalidArgument']);
      const after = await api.stat([
        { lfn: '/sl/bad1', follow: false },
        { lfn: '/sl/bad2', follow: false },
        { lfn: '/sl/bad3', follow: false },
      ]);
      expect(codes(after)).toEqual(['NotExists', 'NotExists', 'NotExists']);
    });

    it('answers Exists when an entry of any kind is already at the name, also when named through a link', async () => {
      const results = await Promise.all([
        api.symlink('/sl/real/file', '/sl/elsewhere'),
        api.symlink('/sl/real/dir', '/sl/elsewhere'),
        api.symlink('/sl/c1', '/sl/elsewhere'),
        api.symlink('/sl/linkdir/newfile', '/sl/elsewhere'),
      ]);
      expect(codes(results.flat())).toEqual(['Exists', 'Exists', 'Exists', 'Exists']);
      // Nothing was overwritten.
      expect(await api.statOne('/sl/c1', false)).toMatchObject({ ok: true, entry: { kind: 'symlink', target: '/sl/c2' } });
      expect(await api.statOne('/sl/real/file', false)).toMatchObject({ ok: true, entry: { kind: 'file', guid: fileGuid } });
    });

    describe('moving and removing a link', () => {
      let targetGuid: string;
      let targetReplicas: ReplicaView[];

      beforeAll(async () => {
        await api.mkdir('/sl/mv/realdir', '/sl/rm/realdir');
        const [target] = await api.createFiles([
          {
            lfn: '/sl/mv/target',
            replicas: [{ surl: 'srm://sl.example.org/mv/target-1' }, { surl: 'srm://sl2.example.org/mv/target-2' }],
          },
          { lfn: '/sl/mv/realdir/child' },
          { lfn: '/sl/rm/realdir/child' },
        ]);
        targetGuid = guidOf(target);
        targetReplicas = field<ReplicaView[]>((await api.listReplicas([{ lfn: '/sl/mv/target' }]))[0], 'replicas');
        expect(targetReplicas).toHaveLength(2);
      });

      it('moves the link only: the target keeps its path, GUID and replicas', async () => {
        expect(codes(await api.symlink('/sl/mv/link', '/sl/mv/target'))).toEqual(['ok']);
        const [moved] = await api.move([{ from: '/sl/mv/link', to: '/sl/mv/renamed-link' }]);
        expect(moved).toMatchObject({ ok: true, entry: { lfn: '/sl/mv/renamed-link', kind: 'symlink', target: '/sl/mv/target' } });

        const results = await api.stat([
          { lfn: '/sl/mv/link', follow: false },
          { lfn: '/sl/mv/target', follow: false },
          { lfn: '/sl/mv/renamed-link' },
        ]);
        expect(codes(results)).toEqual(['NotExists', 'ok', 'ok']);
        expect(entryOf(results[1])).toMatchObject({ lfn: '/sl/mv/target', kind: 'file', guid: targetGuid });
        expect(entryOf(results[2])).toMatchObject({ lfn: '/sl/mv/target', kind: 'file', guid: targetGuid });

        const [listed] = await api.listReplicas([{ lfn: '/sl/mv/target' }]);
        expect(listed).toMatchObject({ ok: true, guid: targetGuid });
        expect(field<ReplicaView[]>(listed, 'replicas')).toEqual(targetReplicas);
      });

      it('moves a link to a directory without moving the directory or its children', async () => {
        expect(codes(await api.symlink('/sl/mv/dirlink', '/sl/mv/realdir'))).toEqual(['ok']);
        expect(codes(await api.move([{ from: '/sl/mv/dirlink', to: '/sl/mv/dirlink2' }]))).toEqual(['ok']);
        const results = await api.stat([
          { lfn: '/sl/mv/realdir' },
          { lfn: '/sl/mv/realdir/child' },
          { lfn: '/sl/mv/dirlink2/child' },
          { lfn: '/sl/mv/dirlink', follow: false },
        ]);
        expect(codes(results)).toEqual(['ok', 'ok', 'ok', 'NotExists']);
        expect(entryOf(results[2]).lfn).toBe('/sl/mv/realdir/child');
      });

      it('removes the link only: the target file stays, with its replicas', async () => {
        expect(codes(await api.symlink('/sl/rm/link', '/sl/mv/target'))).toEqual(['ok']);
        expect(codes(await api.remove([{ lfn: '/sl/rm/link' }]))).toEqual(['ok']);

        const results = await api.stat([{ lfn: '/sl/rm/link', follow: false }, { lfn: '/sl/mv/target' }]);
        expect(codes(results)).toEqual(['NotExists', 'ok']);
        expect(entryOf(results[1])).toMatchObject({ kind: 'file', guid: targetGuid });
        const [listed] = await api.listReplicas([{ guid: targetGuid }]);
        expect(field<ReplicaView[]>(listed, 'replicas')).toEqual(targetReplicas);
        const lookups = await api.lookupGuids(targetReplicas.map((r) => ({ surl: r.surl })));
        expect(lookups).toEqual(targetReplicas.map(() => ({ ok: true, guid: targetGuid, lfn: '/sl/mv/target' })));
      });

      it('removes a link to a directory, even with recursive, without touching the directory', async () => {
        expect(codes(await api.symlink('/sl/rm/dirlink', '/sl/rm/realdir'))).toEqual(['ok']);
        expect(codes(await api.remove([{ lfn: '/sl/rm/dirlink', recursive: true }]))).toEqual(['ok']);
        const results = await api.stat([{ lfn: '/sl/rm/dirlink', follow: false }, { lfn: '/sl/rm/realdir' }, { lfn: '/sl/rm/realdir/child' }]);
        expect(codes(results)).toEqual(['NotExists', 'ok', 'ok']);
      });
    });
  });

  describe('move', () => {
    beforeAll(async () => {
      await api.mkdir('/mv/src', '/mv/dst', '/mv/tree/sub/deeper', '/mv/seq');
    });

    it('renames a file: the new LFN resolves, the old one is gone, GUID and replicas are unchanged', async () => {
      const surls = ['srm://mv.example.org/data/f1', 'srm://mv2.example.org/data/f1'];
      const [created] = await api.createFiles([{ lfn: '/mv/src/f1', size: 99, replicas: surls.map((surl) => ({ surl })) }]);
      const guid = guidOf(created);
      const before = field<ReplicaView[]>((await api.listReplicas([{ guid }]))[0], 'replicas');

      const [moved] = await api.move([{ from: '/mv/src/f1', to: '/mv/dst/f1-renamed' }]);
      expect(moved).toMatchObject({ ok: true, entry: { lfn: '/mv/dst/f1-renamed', kind: 'file', guid, size: 99 } });

      const results = await api.stat([{ lfn: '/mv/dst/f1-renamed' }, { lfn: '/mv/src/f1' }]);
      expect(codes(results)).toEqual(['ok', 'NotExists']);
      expect(entryOf(results[0])).toMatchObject({ guid, size: 99 });

      const [listed] = await api.listReplicas([{ lfn: '/mv/dst/f1-renamed' }]);
      expect(listed).toMatchObject({ ok: true, guid });
      expect(field<ReplicaView[]>(listed, 'replicas')).toEqual(before);
      expect(await api.lookupGuids(surls.map((surl) => ({ surl })))).toEqual([
        { ok: true, guid, lfn: '/mv/dst/f1-renamed' },
        { ok: true, guid, lfn: '/mv/dst/f1-renamed' },
      ]);
      expect(codes(await api.listReplicas([{ lfn: '/mv/src/f1' }]))).toEqual(['NotExists']);
    });

    it('answers NotExists for a missing source or destination directory, Exists onto an entry, NotADirectory below a file', async () => {
      await api.createFiles([{ lfn: '/mv/src/keep' }, { lfn: '/mv/dst/occupied' }]);
      const results = await api.move([
        { from: '/mv/src/keep', to: '/mv/missing/keep' },
        { from: '/mv/src/keep', to: '/mv/dst/occupied' },
        { from: '/mv/src/keep', to: '/mv/dst' },
        { from: '/mv/src', to: '/mv/dst/occupied' },
        { from: '/mv/src/keep', to: '/mv/dst/occupied/below' },
        { from: '/mv/src/nothing-here', to: '/mv/dst/anything' },
      ]);
      expect(codes(results)).toEqual(['NotExists', 'Exists', 'Exists', 'Exists', 'NotADirectory', 'NotExists']);
      // Nothing moved, nothing overwritten.
      const after = await api.stat([{ lfn: '/mv/src/keep' }, { lfn: '/mv/dst/occupied' }, { lfn: '/mv/dst/anything' }]);
      expect(codes(after)).toEqual(['ok', 'ok', 'NotExists']);
      expect(entryOf(after[1]).guid).not.toBe(entryOf(after[0]).guid);
    });

    it('refuses to move a directory into itself or below itself, also through a link', async () => {
      expect(codes(await api.symlink('/mv/into-tree', '/mv/tree/sub'))).toEqual(['ok']);
      const results = await api.move([
        { from: '/mv/tree', to: '/mv/tree/inside' },
        { from: '/mv/tree', to: '/mv/tree/sub/deeper/inside' },
        { from: '/mv/tree', to: '/mv/into-tree/inside' },
      ]);
      expect(codes(results)).toEqual(['InvalidArgument', 'InvalidArgument', 'InvalidArgument']);
      const after = await api.stat([{ lfn: '/mv/tree/sub/deeper' }, { lfn: '/mv/tree/inside' }, { lfn: '/mv/tree/sub/deeper/inside' }]);
      expect(codes(after)).toEqual(['ok', 'NotExists', 'NotExists']);
    });

    it('refuses to move the root or to replace it', async () => {
      const results = await api.move([
        { from: '/', to: '/mv/root-moved' },
        { from: '/mv/seq', to: '/' },
      ]);
      expect(codes(results)).toEqual(['InvalidArgument', 'InvalidArgument']);
      expect(await api.statOne('/')).toMatchObject({ ok: true, entry: { lfn: '/', kind: 'directory' } });
      expect(await api.statOne('/mv/root-moved')).toMatchObject({ ok: false, error: { code: 'NotExists' } });
    });

    it('moves a directory with 1,000 descendants in one request, every descendant resolvable at its new path', async () => {
      const subdirs = Array.from({ length: 10 }, (_, d) => `s${d}`);
      const relatives: string[] = [];
      for (const s of subdirs) {
        relatives.push(s);
        for (let f = 0; f < 99; f += 1) relatives.push(`${s}/f${String(f).padStart(2, '0')}`);
      }
      expect(relatives).toHaveLength(1000);

      await api.mkdir('/big/new-home');
      expect(codes(await api.mkdir(...subdirs.map((s) => `/big/tree/${s}`))).every((c) => c === 'ok')).toBe(true);
      const files = relatives.filter((r) => r.includes('/'));
      const created = await api.createFiles(
        files.map((r) => ({ lfn: `/big/tree/${r}`, ...(r.startsWith('s0/') ? { replicas: [{ surl: `srm://big.example.org/${r}` }] } : {}) })),
      );
      expect(codes(created).every((c) => c === 'ok')).toBe(true);
      const guidsBefore = new Map(created.map((r) => [entryOf(r).lfn.slice('/big/tree/'.length), guidOf(r)]));

      const [moved] = await api.move([{ from: '/big/tree', to: '/big/new-home/tree2' }]);
      expect(moved).toMatchObject({ ok: true, entry: { lfn: '/big/new-home/tree2', kind: 'directory' } });

      const atNew = await api.stat(relatives.map((r) => ({ lfn: `/big/new-home/tree2/${r}` })));
      expect(codes(atNew).filter((c) => c !== 'ok')).toEqual([]);
      atNew.forEach((result, i) => {
        const entry = entryOf(result);
        const relative = relatives[i]!;
        expect(entry.lfn).toBe(`/big/new-home/tree2/${relative}`);
        expect(entry.kind).toBe(relative.includes('/') ? 'file' : 'directory');
        if (relative.includes('/')) expect(entry.guid).toBe(guidsBefore.get(relative));
      });

      const atOld = await api.stat([{ lfn: '/big/tree' }, ...relatives.map((r) => ({ lfn: `/big/tree/${r}` }))]);
      expect(codes(atOld).filter((c) => c !== 'NotExists')).toEqual([]);

      // Listings follow the move.
      expect((await listNames('/big/new-home/tree2')).lfns).toEqual(subdirs.map((s) => `/big/new-home/tree2/${s}`));
      const first = await listNames('/big/new-home/tree2/s3', 60);
      expect(first.next).not.toBeNull();
      const second = await listNames('/big/new-home/tree2/s3', 60, first.next!);
      expect(second.next).toBeNull();
      expect([...first.lfns, ...second.lfns]).toEqual(
        Array.from({ length: 99 }, (_, f) => `/big/new-home/tree2/s3/f${String(f).padStart(2, '0')}`),
      );
      const oldListing = await request(catalog.app).get('/api/v1/directories/entries').query({ lfn: '/big/tree' });
      expect(oldListing.status).toBe(404);

      // Replicas follow the files, and the moved tree is a working directory.
      expect(await api.lookupGuids([{ surl: 'srm://big.example.org/s0/f42' }])).toEqual([
        { ok: true, guid: guidsBefore.get('s0/f42'), lfn: '/big/new-home/tree2/s0/f42' },
      ]);
      const later = await api.createFiles([{ lfn: '/big/new-home/tree2/s9/after-move' }, { lfn: '/big/tree/s9/after-move' }]);
      expect(codes(later)).toEqual(['ok', 'NotExists']);
    });

    it('moves exactly the subtree: siblings whose names share a prefix stay, and non-ASCII names move intact', async () => {
      await api.mkdir('/mv/pre/in', '/mv/pre-x', '/mv/pre.x', '/mv/pre0', '/mv/prefix', '/mv/dïr/ünder');
      await api.createFiles([{ lfn: '/mv/pre/in/f' }, { lfn: '/mv/pre-x/f' }, { lfn: '/mv/pre0/f' }, { lfn: '/mv/dïr/ünder/fé' }]);
      const results = await api.move([
        { from: '/mv/pre', to: '/mv/dst/pre' },
        { from: '/mv/dïr', to: '/mv/dst/dür' },
      ]);
      expect(codes(results)).toEqual(['ok', 'ok']);
      const after = await api.stat(
        ['/mv/dst/pre/in/f', '/mv/pre-x/f', '/mv/pre.x', '/mv/pre0/f', '/mv/prefix', '/mv/dst/dür/ünder/fé', '/mv/pre', '/mv/dïr/ünder/fé'].map(
          (lfn) => ({ lfn }),
        ),
      );
      expect(codes(after)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'NotExists', 'NotExists']);
      expect(entryOf(after[5]).lfn).toBe('/mv/dst/dür/ünder/fé');
      expect((await listNames('/mv/dst/dür/ünder')).lfns).toEqual(['/mv/dst/dür/ünder/fé']);
    });

    it('applies the items of one request in order', async () => {
      const [created] = await api.createFiles([{ lfn: '/mv/seq/a' }]);
      const guid = guidOf(created);
      const results = await api.move([
        { from: '/mv/seq/a', to: '/mv/seq/b' },
        { from: '/mv/seq/b', to: '/mv/seq/c' },
        { from: '/mv/seq/b', to: '/mv/seq/d' },
      ]);
      expect(codes(results)).toEqual(['ok', 'ok', 'NotExists']);
      expect(entryOf(results[1])).toMatchObject({ lfn: '/mv/seq/c', guid });
      const after = await api.stat([{ lfn: '/mv/seq/a' }, { lfn: '/mv/seq/b' }, { lfn: '/mv/seq/c' }, { lfn: '/mv/seq/d' }]);
      expect(codes(after)).toEqual(['NotExists', 'NotExists', 'ok', 'NotExists']);
    });
  });

  describe('remove', () => {
    beforeAll(async () => {
      await api.mkdir('/rm/empty', '/rm/tree/a/b', '/rm/tree/c', '/rm/twice/inner');
    });

    it('removes a file with its replicas, after which its SURLs can be registered again', async () => {
      const surls = ['srm://rm.example.org/data/f', 'srm://rm2.example.org/data/f'];
      const [created] = await api.createFiles([{ lfn: '/rm/f', replicas: surls.map((surl) => ({ surl })) }]);
      const guid = guidOf(created);
      expect(codes(await api.lookupGuids(surls.map((surl) => ({ surl }))))).toEqual(['ok', 'ok']);

      expect(await api.remove([{ lfn: '/rm/f' }])).toEqual([{ ok: true }]);

      expect(codes(await api.stat([{ lfn: '/rm/f' }]))).toEqual(['NotExists']);
      expect(codes(await api.lookupGuids(surls.map((surl) => ({ surl }))))).toEqual(['NotExists', 'NotExists']);
      expect(codes(await api.listReplicas([{ guid }]))).toEqual(['NotExists']);

      const [again] = await api.createFiles([{ lfn: '/rm/f-again', replicas: [{ surl: surls[0]! }] }]);
      const newGuid = guidOf(again);
      expect(newGuid).not.toBe(guid);
      const [other] = await api.createFiles([{ lfn: '/rm/f-other' }]);
      expect(codes(await api.addReplicas([{ lfn: '/rm/f-other', surl: surls[1]! }]))).toEqual(['ok']);
      expect(await api.lookupGuids(surls.map((surl) => ({ surl })))).toEqual([
        { ok: true, guid: newGuid, lfn: '/rm/f-again' },
        { ok: true, guid: guidOf(other), lfn: '/rm/f-other' },
      ]);
    });

    it('refuses a non-empty directory without recursive and removes nothing; removes an empty one', async () => {
      await api.createFiles([{ lfn: '/rm/tree/a/b/f1', replicas: [{ surl: 'srm://rmtree.example.org/f1' }] }]);
      const results = await api.remove([{ lfn: '/rm/tree' }, { lfn: '/rm/tree/a' }, { lfn: '/rm/tree/c' }]);
      expect(codes(results)).toEqual(['NotEmpty', 'NotEmpty', 'ok']);
      const after = await api.stat([{ lfn: '/rm/tree' }, { lfn: '/rm/tree/a' }, { lfn: '/rm/tree/a/b' }, { lfn: '/rm/tree/a/b/f1' }, { lfn: '/rm/tree/c' }]);
      expect(codes(after)).toEqual(['ok', 'ok', 'ok', 'ok', 'NotExists']);
      expect(codes(await api.lookupGuids([{ surl: 'srm://rmtree.example.org/f1' }]))).toEqual(['ok']);
    });

    it('with recursive removes the whole subtree and the replicas of every file in it', async () => {
      await api.mkdir('/rm/tree/a/b2');
      const surls = ['srm://rmtree.example.org/f2', 'srm://rmtree.example.org/f3', 'srm://rmtree2.example.org/f3'];
      const created = await api.createFiles([
        { lfn: '/rm/tree/a/b2/f2', replicas: [{ surl: surls[0]! }] },
        { lfn: '/rm/tree/f3', replicas: [{ surl: surls[1]! }, { surl: surls[2]! }] },
      ]);
      await api.symlink('/rm/tree/a/link', '/rm/empty');
      const guids = [...created.map(guidOf), field<string>((await api.lookupGuids([{ lfn: '/rm/tree/a/b/f1' }]))[0], 'guid')];

      expect(await api.remove([{ lfn: '/rm/tree', recursive: true }])).toEqual([{ ok: true }]);

      const gone = ['/rm/tree', '/rm/tree/a', '/rm/tree/a/b', '/rm/tree/a/b/f1', '/rm/tree/a/b2', '/rm/tree/a/b2/f2', '/rm/tree/f3'];
      const after = await api.stat([...gone.map((lfn) => ({ lfn })), { lfn: '/rm/tree/a/link', follow: false }]);
      expect(codes(after)).toEqual([...gone.map(() => 'NotExists'), 'NotExists']);
      const lookups = await api.lookupGuids([...surls, 'srm://rmtree.example.org/f1'].map((surl) => ({ surl })));
      expect(codes(lookups)).toEqual(['NotExists', 'NotExists', 'NotExists', 'NotExists']);
      expect(codes(await api.listReplicas(guids.map((guid) => ({ guid }))))).toEqual(['NotExists', 'NotExists', 'NotExists']);
      const onSe = await request(catalog.app).get('/api/v1/replicas').query({ se: 'rmtree.example.org' });
      expect(onSe.status).toBe(200);
      expect(onSe.body).toEqual({ replicas: [], next: null });
      // The link's target is outside the tree and stays; the parent lists no trace of the tree.
      expect(codes(await api.stat([{ lfn: '/rm/empty' }]))).toEqual(['ok']);
      expect((await listNames('/rm')).lfns).not.toContain('/rm/tree');
    });

    it('refuses the root and answers NotExists for a missing entry and NotADirectory below a file', async () => {
      await api.createFiles([{ lfn: '/rm/plain' }]);
      const results = await api.remove([
        { lfn: '/' },
        { lfn: '/', recursive: true },
        { lfn: '/rm/missing' },
        { lfn: '/rm/missing/deeper', recursive: true },
        { lfn: '/rm/plain/below' },
      ]);
      expect(codes(results)).toEqual(['InvalidArgument', 'InvalidArgument', 'NotExists', 'NotExists', 'NotADirectory']);
      expect(codes(await api.stat([{ lfn: '/' }, { lfn: '/rm/plain' }]))).toEqual(['ok', 'ok']);
    });

    it('removes an entry named twice in one request once: the second item finds it gone', async () => {
      await api.createFiles([{ lfn: '/rm/dup' }, { lfn: '/rm/dup2' }]);
      await api.symlink('/rm/via-link', '/rm');
      const results = await api.remove([
        { lfn: '/rm/dup' },
        { lfn: '/rm/dup' },
        { lfn: '/rm/dup2' },
        { lfn: '/rm/via-link/dup2' },
      ]);
      expect(codes(results)).toEqual(['ok', 'NotExists', 'ok', 'NotExists']);
      expect(codes(await api.stat([{ lfn: '/rm/dup' }, { lfn: '/rm/dup2' }]))).toEqual(['NotExists', 'NotExists']);
    });

    it('removes exactly the subtree: siblings whose names share a prefix stay', async () => {
      await api.mkdir('/rm/pre/in', '/rm/pre-x', '/rm/pre.x', '/rm/pre0', '/rm/prefix');
      await api.createFiles([{ lfn: '/rm/pre/in/f' }, { lfn: '/rm/pre-x/f' }, { lfn: '/rm/pre0/f' }, { lfn: '/rm/prefix/f' }]);
      expect(codes(await api.remove([{ lfn: '/rm/pre', recursive: true }]))).toEqual(['ok']);
      const after = await api.stat(['/rm/pre', '/rm/pre/in/f', '/rm/pre-x/f', '/rm/pre.x', '/rm/pre0/f', '/rm/prefix/f'].map((lfn) => ({ lfn })));
      expect(codes(after)).toEqual(['NotExists', 'NotExists', 'ok', 'ok', 'ok', 'ok']);
    });

    it('removes a directory recursively once when named twice, and a file then its emptied directory', async () => {
      await api.mkdir('/rm/rec-twice/x', '/rm/emptied');
      await api.createFiles([{ lfn: '/rm/emptied/only' }]);
      const results = await api.remove([
        { lfn: '/rm/rec-twice', recursive: true },
        { lfn: '/rm/rec-twice', recursive: true },
        { lfn: '/rm/emptied/only' },
        { lfn: '/rm/emptied' },
      ]);
      expect(codes(results)).toEqual(['ok', 'NotExists', 'ok', 'ok']);
      expect(codes(await api.stat([{ lfn: '/rm/rec-twice' }, { lfn: '/rm/emptied' }]))).toEqual(['NotExists', 'NotExists']);
    });

    it('applies a plain and then a recursive removal of one directory in order: NotEmpty, then ok', async () => {
      await api.createFiles([{ lfn: '/rm/twice/inner/f', replicas: [{ surl: 'srm://rmtwice.example.org/f' }] }]);
      const results = await api.remove([{ lfn: '/rm/twice' }, { lfn: '/rm/twice', recursive: true }]);
      expect(codes(results)).toEqual(['NotEmpty', 'ok']);
      expect(codes(await api.stat([{ lfn: '/rm/twice' }, { lfn: '/rm/twice/inner' }, { lfn: '/rm/twice/inner/f' }]))).toEqual([
        'NotExists',
        'NotExists',
        'NotExists',
      ]);
      expect(codes(await api.lookupGuids([{ surl: 'srm://rmtwice.example.org/f' }]))).toEqual(['NotExists']);
    });
  });
});
