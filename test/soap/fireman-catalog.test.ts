import type { Client } from 'soap';
import { asArray, call, expectFault, list, startSoapService, type SoapTestService } from './soap-harness';

type Struct = Record<string, unknown>;
type Pair = { string1?: string; string2?: string | Struct };

let svc: SoapTestService;
let fireman: Client;
const SE1 = 'srm://se1.example.org:8446/srm/managerv2?SFN=/dpm/vo';
const SE2 = 'srm://se2.example.org/data/vo';
const GUID = '79b8f9aa-ccc8-11d7-933c-d4bb614664eb';

beforeAll(async () => {
  svc = await startSoapService();
  fireman = await svc.client('FiremanCatalog');
  await call(fireman, 'mkdir', { directories: list('/grid/vo'), createParents: true, copyPermFromParent: false });
});
afterAll(async () => svc.close());

const items = async (operation: string, args: Struct | null) => asArray((await call(fireman, operation, args)) as { item?: unknown } | undefined)
  .flatMap((ret) => asArray((ret as { item?: Struct | Struct[] }).item));

const entries = (operation: string, lfns: string[]) => items(operation, { lfns: list(...lfns) });

function frc(lfn: string, surls: { surl: string; master?: boolean }[], extra: Struct = {}): Struct {
  return {
    lfn,
    guid: null,
    ...extra,
    surlStats: surls.map((s) => ({ masterReplica: s.master ?? false, creationTime: 0, modifyTime: 0, surl: s.surl })),
  };
}

const create = (...entries: Struct[]) => call(fireman, 'create', { entries: list(...entries) });

describe('ServiceBase', () => {
  it('reports the service, interface and schema versions', async () => {
    expect(await call(fireman, 'getVersion')).toMatch(/^\d+\.\d+\.\d+/);
    expect(await call(fireman, 'getInterfaceVersion')).toBe('2.0.0');
    expect(await call(fireman, 'getSchemaVersion')).toMatch(/^\d+\.0\.0$/);
  });

  it('answers service metadata keys, and nil for an unknown key', async () => {
    expect(await call(fireman, 'getServiceMetadata', { key: 'limit.bulk' })).toBe('10000');
    expect(await call(fireman, 'getServiceMetadata', { key: 'limit.readDir' })).toBe('10000');
    const unknown = await call(fireman, 'getServiceMetadata', { key: 'no.such.key' });
    expect(typeof unknown === 'string' ? unknown : null).toBeNull();
  });
});

describe('directories', () => {
  it('makes directories, with parents when asked', async () => {
    await call(fireman, 'mkdir', { directories: list('/grid/vo/d1/a/b'), createParents: true, copyPermFromParent: false });
    const [entry] = await entries('getFileCatalogEntry', ['/grid/vo/d1/a/b']);
    expect(entry).toMatchObject({ lfn: '/grid/vo/d1/a/b', lfnStat: { type: '0', size: '0' } });
  });

  it('faults NotExists for a missing parent and Exists for an existing directory without createParents', async () => {
    const noParent = await expectFault(call(fireman, 'mkdir', { directories: list('/grid/vo/none/x'), createParents: false }));
    expect(noParent.name).toBe('NotExistsException');
    const exists = await expectFault(call(fireman, 'mkdir', { directories: list('/grid/vo'), createParents: false }));
    expect(exists).toMatchObject({ name: 'ExistsException', faultcode: 'soapenv:Server.userException' });
    expect(exists.message).toContain('/grid/vo');
  });

  it('applies no item of a call that faults, and names the first failing item', async () => {
    const fault = await expectFault(call(fireman, 'mkdir', { directories: list('/grid/vo/fresh', '/grid/vo'), createParents: false }));
    expect(fault.name).toBe('ExistsException');
    expect(fault.message).toMatch(/^item 2 of 2 \(\/grid\/vo\)/);
    expect((await expectFault(entries('getFileCatalogEntry', ['/grid/vo/fresh']))).name).toBe('NotExistsException');
  });

  it('removes empty directories only', async () => {
    await call(fireman, 'mkdir', { directories: list('/grid/vo/rm/full/sub', '/grid/vo/rm/empty'), createParents: true });
    await create(frc('/grid/vo/rm/file', []));
    expect((await expectFault(call(fireman, 'rmdir', { directories: list('/grid/vo/rm/full') }))).name).toBe('InvalidArgumentException');
    expect((await expectFault(call(fireman, 'rmdir', { directories: list('/grid/vo/rm/file') }))).message).toContain('not a directory');
    await call(fireman, 'rmdir', { directories: list('/grid/vo/rm/empty') });
    expect((await expectFault(entries('getFileCatalogEntry', ['/grid/vo/rm/empty']))).name).toBe('NotExistsException');
  });
});

describe('readDir', () => {
  beforeAll(async () => {
    await call(fireman, 'mkdir', { directories: list('/grid/vo/list/sub'), createParents: true });
    await create(...['f1', 'f2', 'f3', 'g1'].map((name) => frc(`/grid/vo/list/${name}`, [])));
  });

  it('pages by limit and offset, in name order', async () => {
    const page = (offset: number) =>
      items('readDir', { path: '/grid/vo/list', pattern: '', limit: 2, offset, withPermissions: false }).then((es) => es.map((e) => e.lfn));
    expect(await page(0)).toEqual(['/grid/vo/list/f1', '/grid/vo/list/f2']);
    expect(await page(2)).toEqual(['/grid/vo/list/f3', '/grid/vo/list/g1']);
    expect(await page(4)).toEqual(['/grid/vo/list/sub']);
    expect(await page(5)).toEqual([]);
  });

  it('filters by pattern and gives the kind of each entry', async () => {
    const found = await items('readDir', { path: '/grid/vo/list', pattern: 'f?', limit: 10, offset: 1, withPermissions: true });
    expect(found.map((e) => e.lfn)).toEqual(['/grid/vo/list/f2', '/grid/vo/list/f3']);
    expect(found[0]).toMatchObject({ lfnStat: { type: '1' }, permission: { userName: '/DC=org/DC=example/CN=Test User' } });
    const all = await items('readDir', { path: '/grid/vo/list', pattern: '*', limit: 10, offset: 0, withPermissions: false });
    expect(all.find((e) => e.lfn === '/grid/vo/list/sub')).toMatchObject({ lfnStat: { type: '0' } });
    expect(all[0]!.permission).toBeUndefined();
  });

  it('refuses a limit of 0, and a path that is not a directory', async () => {
    const zero = await expectFault(call(fireman, 'readDir', { path: '/grid/vo/list', pattern: '', limit: 0, offset: 0, withPermissions: false }));
    expect(zero.name).toBe('InvalidArgumentException');
    const file = await expectFault(call(fireman, 'readDir', { path: '/grid/vo/list/f1', pattern: '', limit: 5, offset: 0, withPermissions: false }));
    expect(file.name).toBe('InvalidArgumentException');
    const missing = await expectFault(call(fireman, 'readDir', { path: '/grid/vo/nowhere', pattern: '', limit: 5, offset: 0, withPermissions: false }));
    expect(missing.name).toBe('NotExistsException');
  });
});

describe('files', () => {
  it('registers file entries with createFile and describes them with getFileCatalogEntry and getLfnStat', async () => {
    await call(fireman, 'createFile', {
      entries: list({ lfn: '/grid/vo/cf1', guid: GUID, lfnStat: { modifyTime: 0, creationTime: 0, size: 1234, type: 1, validityTime: 0 } }),
    });
    const [entry] = await entries('getFileCatalogEntry', ['/grid/vo/cf1']);
    expect(entry).toMatchObject({ lfn: '/grid/vo/cf1', guid: GUID, lfnStat: { type: '1', size: '1234' } });
    expect(Number((entry!.lfnStat as Struct).creationTime)).toBeGreaterThan(Date.UTC(2020, 0));
    const [old] = await entries('getLfnStat', ['/grid/vo/cf1']);
    expect(old).toMatchObject({ lfn: '/grid/vo/cf1', guid: GUID });
  });

  it('refuses createFile of a non-file, and of an LFN that exists', async () => {
    const dir = await expectFault(call(fireman, 'createFile', { entries: list({ lfn: '/grid/vo/cf2', guid: null, lfnStat: { size: 0, type: 0 } }) }));
    expect(dir).toMatchObject({ name: 'InvalidArgumentException' });
    expect(dir.message).toContain('entries[0]');
    expect((await expectFault(call(fireman, 'createFile', { entries: list({ lfn: '/grid/vo/cf1', guid: null }) }))).name).toBe('ExistsException');
  });

  it('maps LFNs to GUIDs and back, keyed by what was asked', async () => {
    const [pair] = (await items('getGuidForLfn', { lfns: list('/grid/vo/cf1/') })) as Pair[];
    expect(pair).toEqual({ string1: '/grid/vo/cf1/', string2: GUID });
    const [back] = (await items('getLfnForGuid', { guids: list(`guid:${GUID.toUpperCase()}`) })) as Pair[];
    expect(back).toEqual({ string1: `guid:${GUID.toUpperCase()}`, string2: '/grid/vo/cf1' });
    expect((await expectFault(call(fireman, 'getLfnForGuid', { guids: list('00000000-0000-0000-0000-000000000000') }))).name).toBe('NotExistsException');
    expect((await expectFault(call(fireman, 'getLfnForGuid', { guids: list('not-a-guid') }))).name).toBe('InvalidArgumentException');
  });

  it('gives Stat of LFNs', async () => {
    const [s] = await entries('getStat', ['/grid/vo/cf1']);
    expect(s).toMatchObject({ size: '1234' });
    expect(Number(s!.modifyTime)).toBeGreaterThan(Date.UTC(2020, 0));
  });

  it('moves entries', async () => {
    await create(frc('/grid/vo/mv-from', [{ surl: `${SE1}/mv` }]));
    await call(fireman, 'mv', { entries: list({ string1: '/grid/vo/mv-from', string2: '/grid/vo/mv-to' }) });
    expect((await entries('getFileCatalogEntry', ['/grid/vo/mv-to']))[0]).toMatchObject({ lfnStat: { type: '1' } });
    const onto = await expectFault(call(fireman, 'mv', { entries: list({ string1: '/grid/vo/mv-to', string2: '/grid/vo/cf1' }) }));
    expect(onto.name).toBe('ExistsException');
  });

  it('makes symlinks (string1 the existing LFN, string2 the link), followed on lookup, listed as links', async () => {
    await call(fireman, 'mkdir', { directories: list('/grid/vo/links'), createParents: true });
    await call(fireman, 'symlink', { symlinks: list({ string1: '/grid/vo/cf1', string2: '/grid/vo/links/l1' }), copyPermFromParent: false });
    expect((await entries('getFileCatalogEntry', ['/grid/vo/links/l1']))[0]).toMatchObject({ lfn: '/grid/vo/links/l1', guid: GUID });
    const [link] = await items('readDir', { path: '/grid/vo/links', pattern: '', limit: 5, offset: 0, withPermissions: false });
    expect(link).toMatchObject({ lfn: '/grid/vo/links/l1', lfnStat: { type: '2', data: '/grid/vo/cf1' } });
    const again = await expectFault(call(fireman, 'symlink', { symlinks: list({ string1: '/grid/vo/cf1', string2: '/grid/vo/links/l1' }) }));
    expect(again.name).toBe('ExistsException');
  });

  it('unlinks files and links, never directories', async () => {
    await call(fireman, 'unlink', { lfns: list('/grid/vo/links/l1') });
    expect((await entries('getFileCatalogEntry', ['/grid/vo/cf1']))[0]).toMatchObject({ guid: GUID });
    expect((await expectFault(call(fireman, 'unlink', { lfns: list('/grid/vo/links') }))).name).toBe('InvalidArgumentException');
    await call(fireman, 'unlink', { lfns: list('/grid/vo/cf1') });
    expect((await expectFault(entries('getFileCatalogEntry', ['/grid/vo/cf1']))).name).toBe('NotExistsException');
  });
});

describe('replicas', () => {
  const lfn = '/grid/vo/rep/f';

  beforeAll(async () => {
    await call(fireman, 'mkdir', { directories: list('/grid/vo/rep'), createParents: true });
    await create(frc(lfn, [{ surl: `${SE1}/f` }, { surl: `${SE2}/f`, master: true }], { guidStat: { size: 42, checksum: 'adler32:0a1b2c3d' } }));
  });

  it('creates files with replicas, a master, size and checksum, and lists them', async () => {
    const [file] = await items('listReplicas', { lfns: list(lfn), withPermissions: false });
    expect(file).toMatchObject({ lfn, lfnStat: { type: '1', size: '42' }, guidStat: { size: '42', checksum: 'adler32:0a1b2c3d' } });
    const surls = asArray(file!.surlStats as Struct[]);
    expect(surls.map((s) => [s.surl, s.masterReplica])).toEqual([
      [`${SE2}/f`, 'true'],
      [`${SE1}/f`, 'false'],
    ]);
  });

  it('creates nothing when one entry of a create call fails', async () => {
    const fault = await expectFault(create(frc('/grid/vo/rep/new', [{ surl: `${SE1}/new` }]), frc('/grid/vo/rep/clash', [{ surl: `${SE1}/f` }])));
    expect(fault.name).toBe('ExistsException');
    expect(fault.message).toContain('item 2 of 2');
    expect((await expectFault(entries('getFileCatalogEntry', ['/grid/vo/rep/new']))).name).toBe('NotExistsException');
    expect((await expectFault(call(fireman, 'listLfn', { surls: list(`${SE1}/new`) }))).name).toBe('NotExistsException');
  });

  it('adds replicas, and refuses one already registered', async () => {
    await call(fireman, 'addReplica', { lfn, newSurls: list({ masterReplica: false, creationTime: 0, modifyTime: 0, surl: `${SE1}/f-copy` }) });
    const [file] = await items('listReplicas', { lfns: list(lfn), withPermissions: true });
    expect(asArray(file!.surlStats as Struct[])).toHaveLength(3);
    expect(file!.permission).toMatchObject({ userName: '/DC=org/DC=example/CN=Test User' });
    const dup = await expectFault(call(fireman, 'addReplica', { lfn, newSurls: list({ masterReplica: false, surl: `${SE1}/f-copy` }) }));
    expect(dup.name).toBe('ExistsException');
  });

  it('maps SURLs to LFNs and GUIDs', async () => {
    const [{ string2: guid }] = (await items('getGuidForLfn', { lfns: list(lfn) })) as [Pair];
    expect(await items('listLfn', { surls: list(`${SE2}/f`) })).toEqual([{ string1: `${SE2}/f`, string2: lfn }]);
    expect(await items('getGuidForSurl', { surls: list(`${SE2}/f`) })).toEqual([{ string1: `${SE2}/f`, string2: guid }]);
    expect((await expectFault(call(fireman, 'getGuidForSurl', { surls: list('srm://nowhere.example.org/x') }))).name).toBe('NotExistsException');
  });

  it('lists replicas by GUID, and gets and sets the master', async () => {
    const [{ string2: guid }] = (await items('getGuidForLfn', { lfns: list(lfn) })) as [Pair & { string2: string }];
    const [rc] = await items('listReplicasByGuid', { guids: list(guid), withPermissions: false });
    expect(rc).toMatchObject({ guid, guidStat: { checksum: 'adler32:0a1b2c3d' } });
    expect(asArray(rc!.surlStats as Struct[])).toHaveLength(3);
    expect(await items('getMasterReplica', { guids: list(guid) })).toEqual([{ string1: guid, string2: `${SE2}/f` }]);
    await call(fireman, 'setMasterReplica', { guidSurls: list({ string1: guid, string2: `${SE1}/f` }) });
    expect(await items('getMasterReplica', { guids: list(guid) })).toEqual([{ string1: guid, string2: `${SE1}/f` }]);
    const wrong = await expectFault(call(fireman, 'setMasterReplica', { guidSurls: list({ string1: guid, string2: 'srm://nowhere.example.org/x' }) }));
    expect(wrong.name).toBe('NotExistsException');
  });

  it('refuses listReplicas of a directory', async () => {
    expect((await expectFault(call(fireman, 'listReplicas', { lfns: list('/grid/vo/rep'), withPermissions: false }))).name).toBe('InvalidArgumentException');
  });

  it('removes replicas, and the file with its last one when asked', async () => {
    await create(frc('/grid/vo/rep/g', [{ surl: `${SE1}/g1` }, { surl: `${SE2}/g2` }]));
    await call(fireman, 'removeReplica', { lfnSurls: list({ string1: '/grid/vo/rep/g', string2: `${SE1}/g1` }), removeLfnOnLastReplica: true });
    const [file] = await items('listReplicas', { lfns: list('/grid/vo/rep/g'), withPermissions: false });
    expect(asArray(file!.surlStats as Struct[]).map((s) => [s.surl, s.masterReplica])).toEqual([[`${SE2}/g2`, 'true']]);
    await call(fireman, 'removeReplica', { lfnSurls: list({ string1: '/grid/vo/rep/g', string2: `${SE2}/g2` }), removeLfnOnLastReplica: true });
    expect((await expectFault(entries('getFileCatalogEntry', ['/grid/vo/rep/g']))).name).toBe('NotExistsException');
    const gone = await expectFault(call(fireman, 'removeReplica', { lfnSurls: list({ string1: lfn, string2: `${SE2}/g2` }), removeLfnOnLastReplica: false }));
    expect(gone.name).toBe('NotExistsException');
  });

  it('keeps a file without replicas unless asked, and reports no master for it', async () => {
    await create(frc('/grid/vo/rep/h', [{ surl: `${SE1}/h` }]));
    await call(fireman, 'removeReplica', { lfnSurls: list({ string1: '/grid/vo/rep/h', string2: `${SE1}/h` }), removeLfnOnLastReplica: false });
    const [{ string2: guid }] = (await items('getGuidForLfn', { lfns: list('/grid/vo/rep/h') })) as [Pair & { string2: string }];
    const [master] = (await items('getMasterReplica', { guids: list(guid) })) as Pair[];
    expect(master!.string1).toBe(guid);
    expect(typeof master!.string2 === 'string' ? master!.string2 : null).toBeNull();
  });

  it('removes files with their replicas', async () => {
    await call(fireman, 'remove', { lfns: list(lfn) });
    expect((await expectFault(call(fireman, 'listLfn', { surls: list(`${SE2}/f`) }))).name).toBe('NotExistsException');
    expect((await expectFault(call(fireman, 'remove', { lfns: list(lfn) }))).name).toBe('NotExistsException');
  });
});
