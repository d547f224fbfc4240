import { Exists, Fireman, InvalidArgument, NotExists, SoapClient, type ReplicatClientOptions } from '../../sdk/src';
import { encodeCall } from '../../sdk/src/soap/soap-codec';
import { startSdkService, type SdkTestService } from './sdk-harness';

const GUID = '0b6bd5a4-8c1e-4a57-9a3e-2f1d7c9e5b11';
const SURL1 = 'srm://se1.example.org/vo/s/a.root';
const SURL2 = 'srm://se2.example.org/vo/s/a.root';

let svc: SdkTestService;
let soap: SoapClient;
const called = new Map<string, Set<string>>();

/** Every operation the tests call through the client, by port, to check that none was left out. */
function recording(client: SoapClient): SoapClient {
  for (const [portName, port] of [
    ['FiremanCatalog', client.fireman],
    ['StorageIndex', client.storageIndex],
    ['MetadataCatalog', client.metadata],
  ] as const) {
    const seen = called.get(portName) ?? new Set<string>();
    called.set(portName, seen);
    for (const name of Object.keys(port)) {
      const methods = port as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const original = methods[name]!;
      methods[name] = (...args: unknown[]) => {
        seen.add(name);
        return original(...args);
      };
    }
  }
  return client;
}

function soapClient(options: Partial<ReplicatClientOptions> = {}): SoapClient {
  return recording(new SoapClient({ baseUrl: svc.baseUrl, ...options }));
}

beforeAll(async () => {
  svc = await startSdkService();
  soap = soapClient();
});
afterAll(async () => {
  await soap.close();
  await svc.close();
});

const allow = (...rights: (keyof Fireman.PermInput)[]): Fireman.PermInput => Object.fromEntries(rights.map((r) => [r, true]));

describe('the SOAP client', () => {
  it('encodes an rpc/literal call as Fireman clients do', () => {
    const xml = encodeCall(Fireman.FIREMAN_CATALOG.namespace, 'mv', Fireman.FIREMAN_CATALOG.operations.mv!, { entries: [{ string1: '/a & b', string2: null }] });
    expect(xml).toContain('<ns1:mv xmlns:ns1="http://glite.org/wsdl/services/org.glite.data.catalog.service.fireman">');
    expect(xml).toContain('<entries><item><string1>/a &amp; b</string1><string2 xsi:nil="true"/></item></entries>');
  });

  it('ServiceBase on every port', async () => {
    for (const port of [soap.fireman, soap.storageIndex, soap.metadata]) {
      expect(await port.getVersion()).toMatch(/^\d+\.\d+\.\d+/);
      expect(await port.getSchemaVersion()).toMatch(/^\d+\.0\.0$/);
      expect(await port.getInterfaceVersion()).toBe('2.0.0');
      expect(await port.getServiceMetadata({ key: 'limit.bulk' })).toBe('10000');
      expect(await port.getServiceMetadata({ key: 'no such key' })).toBeNull();
    }
  });

  it('FileCatalog: mkdir, createFile, entries, GUIDs, readDir, locate, symlink, mv, times, unlink, rmdir', async () => {
    const f = soap.fireman;
    await f.mkdir({ directories: ['/grid/vo/s', '/grid/vo/t'], createParents: true, copyPermFromParent: false });
    await f.createFile({ entries: [{ lfn: '/grid/vo/t/one', lfnStat: { size: 10, type: 1 } }, { lfn: '/grid/vo/t/two' }] });
    const [one] = await f.getFileCatalogEntry({ lfns: ['/grid/vo/t/one'] });
    expect(one).toMatchObject({ lfn: '/grid/vo/t/one', lfnStat: { type: 1, size: 10, data: null } });
    expect(one!.permission).toMatchObject({ userPerm: { read: true } });
    expect(await f.getLfnStat({ lfns: ['/grid/vo/t/one'] })).toEqual([one]);
    const [pair] = await f.getGuidForLfn({ lfns: ['/grid/vo/t/one'] });
    expect(pair!.string1).toBe('/grid/vo/t/one');
    expect(await f.getLfnForGuid({ guids: [pair!.string2!] })).toEqual([{ string1: pair!.string2, string2: '/grid/vo/t/one' }]);
    expect((await f.readDir({ path: '/grid/vo/t', pattern: null, limit: 10, offset: 0, withPermissions: false })).map((e) => [e.lfn, e.permission])).toEqual([
      ['/grid/vo/t/one', null],
      ['/grid/vo/t/two', null],
    ]);
    expect(await f.locate({ startDir: '/grid/vo', pattern: 't*', limit: 10 })).toEqual(['/grid/vo/t', '/grid/vo/t/two']);
    await f.symlink({ symlinks: [{ string1: '/grid/vo/t/one', string2: '/grid/vo/t/link' }], copyPermFromParent: false });
    const [link] = await f.readDir({ path: '/grid/vo/t', pattern: 'link', limit: 10, offset: 0, withPermissions: true });
    expect(link!.lfnStat).toMatchObject({ type: 2, data: '/grid/vo/t/one' });
    await f.mv({ entries: [{ string1: '/grid/vo/t/two', string2: '/grid/vo/t/deux' }] });
    await f.updateModifyTime({ lfns: ['/grid/vo/t/deux'], time: 1_000_000 });
    await f.updateValidityTime({ lfns: ['/grid/vo/t/deux'], time: 86_400_000 });
    const [deux] = await f.getStat({ lfns: ['/grid/vo/t/deux'] });
    expect(deux!.modifyTime).toBe(1_000_000);
    await f.unlink({ lfns: ['/grid/vo/t/link'] });
    await f.remove({ lfns: ['/grid/vo/t/one', '/grid/vo/t/deux'] });
    await f.rmdir({ directories: ['/grid/vo/t'] });
    await expect(f.getStat({ lfns: ['/grid/vo/t'] })).rejects.toBeInstanceOf(NotExists);
  });

  it('Fireman and ReplicaCatalog: create with replicas, list them, master, stats, GUID lookups, removal', async () => {
    const f = soap.fireman;
    await f.create({
      entries: [{ lfn: '/grid/vo/s/a.root', guid: GUID, guidStat: { size: 2048, checksum: 'adler32:0a1b2c3d' }, surlStats: [{ surl: SURL1, masterReplica: true }] }],
    });
    await f.addReplica({ lfn: '/grid/vo/s/a.root', newSurls: [{ surl: SURL2 }] });
    await f.addGuidReplica({ guid: GUID, newSurls: [{ surl: 'srm://se3.example.org/vo/s/a.root' }] });
    const [frc] = await f.listReplicas({ lfns: ['/grid/vo/s/a.root'], withPermissions: false });
    expect(frc).toMatchObject({ lfn: '/grid/vo/s/a.root', guid: GUID, guidStat: { size: 2048, checksum: 'adler32:0a1b2c3d' } });
    expect(frc!.surlStats.map((s) => [s.surl, s.masterReplica])).toEqual([
      [SURL1, true],
      [SURL2, false],
      ['srm://se3.example.org/vo/s/a.root', false],
    ]);
    expect((await f.listReplicasByGuid({ guids: [GUID], withPermissions: true }))[0]).toMatchObject({ guid: GUID, permission: { userPerm: { permission: true } } });
    expect(await f.listLfn({ surls: [SURL2] })).toEqual([{ string1: SURL2, string2: '/grid/vo/s/a.root' }]);
    expect(await f.getGuidForSurl({ surls: [SURL2] })).toEqual([{ string1: SURL2, string2: GUID }]);
    expect((await f.getSurlStat({ surls: [SURL1] }))[0]).toMatchObject({ surl: SURL1, masterReplica: true });
    expect((await f.getGuidStat({ guids: [GUID] }))[0]).toMatchObject({ size: 2048 });
    expect(await f.hasGuid({ guids: [GUID, '00000000-0000-4000-8000-000000000000'] })).toEqual([
      { string: GUID, boolean: true },
      { string: '00000000-0000-4000-8000-000000000000', boolean: false },
    ]);
    await f.setMasterReplica({ guidSurls: [{ string1: GUID, string2: SURL2 }] });
    expect(await f.getMasterReplica({ guids: [GUID] })).toEqual([{ string1: GUID, string2: SURL2 }]);
    expect(await f.listSurlsByGuid({ guids: [GUID] })).toHaveLength(3);
    await f.updateGuidStat({ entries: [{ guid: GUID, guidStat: { size: 4096 } }] });
    expect((await f.getGuidStat({ guids: [GUID] }))[0]!.size).toBe(4096);
    await f.removeReplica({ lfnSurls: [{ string1: '/grid/vo/s/a.root', string2: 'srm://se3.example.org/vo/s/a.root' }], removeLfnOnLastReplica: false });

    expect((await soap.storageIndex.listSEbyLFN({ lfn: '/grid/vo/s/a.root' })).sort()).toEqual(['se1.example.org', 'se2.example.org']);
    expect((await soap.storageIndex.listSEbyGUID({ guid: GUID })).sort()).toEqual(['se1.example.org', 'se2.example.org']);

    await f.removeGuid({ guids: [GUID] });
    await expect(f.getGuidStat({ guids: [GUID] })).rejects.toBeInstanceOf(NotExists);
  });

  it('FASBase: set, get and check permissions; default permissions', async () => {
    const f = soap.fireman;
    await f.setPermission({
      permissions: [{ item: '/grid/vo/s', permission: { otherPerm: allow('read', 'list', 'execute'), acl: [{ principal: 'physics', principalPerm: allow('write') }] } }],
    });
    const [entry] = await f.getPermission({ items: ['/grid/vo/s'] });
    expect(entry!.item).toBe('/grid/vo/s');
    expect(entry!.permission).toMatchObject({ otherPerm: { read: true, list: true, execute: true, write: false }, acl: [{ principal: 'physics', principalPerm: { write: true } }] });
    await f.checkPermission({ items: ['/grid/vo/s'], perm: allow('read') });
    expect((await f.getDefaultGlobalPermission())?.userPerm).toMatchObject({ permission: true });
    expect(await f.getDefaultPrincipalPermission({ principal: '/DC=org/CN=x' })).toMatchObject({ userName: expect.any(String) });
  });

  it('MetadataBase and MetadataSchema on both ports', async () => {
    const m = soap.metadata;
    await m.createSchema({ schemaName: 'runs', attributes: [{ name: 'run', type: 'int' }] });
    await m.addSchemaAttributes({ schemaName: 'runs', attributes: [{ name: 'detector', type: 'string' }, { name: 'tmp', type: 'bool' }] });
    await m.removeSchemaAttributes({ schemaName: 'runs', attributeNames: ['tmp'] });
    expect(await m.listSchemas()).toEqual(['runs']);
    expect((await m.describeSchema({ schemaName: 'runs' })).map((a) => [a.name, a.type, a.value])).toEqual([
      ['detector', 'string', null],
      ['run', 'int', null],
    ]);
    await soap.fireman.createFile({ entries: [{ lfn: '/grid/vo/s/m.root' }, { lfn: '/grid/vo/s/n.root' }] });
    await m.createEntry({ entries: [{ string1: '/grid/vo/s/n.root', string2: 'runs' }] });
    await soap.fireman.associateDirWithSchema({ directoryLfn: '/grid/vo/s', schemaName: 'runs' });
    await expect(soap.fireman.associateDirWithSchema({ directoryLfn: '/grid/vo/s', schemaName: 'runs' })).rejects.toBeInstanceOf(Exists);
    await m.setAttributes({ item: '/grid/vo/s/m.root', attributes: [{ name: 'run', value: '1042' }, { name: 'detector', value: 'tpc', type: 'string' }] });
    expect(await m.getAttributes({ item: '/grid/vo/s/m.root', attributeNames: ['run'] })).toEqual([{ name: 'run', value: '1042', type: 'int' }]);
    expect((await soap.fireman.listAttributes({ item: '/grid/vo/s/m.root' })).map((a) => a.name).sort()).toEqual(['detector', 'run']);
    expect(await m.query({ query: 'run > 1000', type: null, limit: 10, offset: 0 })).toEqual(['/grid/vo/s/m.root']);
    expect(await soap.fireman.query({ query: "detector = 'tpc'", type: 'replicat', limit: 10, offset: 0 })).toEqual(['/grid/vo/s/m.root']);
    await soap.fireman.setAttributes({ item: '/grid/vo/s/m.root', attributes: [{ name: 'run', value: '7' }] });
    expect(await soap.fireman.getAttributes({ item: '/grid/vo/s/m.root', attributeNames: [] })).toContainEqual({ name: 'run', value: '7', type: 'int' });
    await soap.fireman.clearAttributes({ item: '/grid/vo/s/m.root', attributeNames: ['run', 'detector'] });
    await m.setAttributes({ item: '/grid/vo/s/m.root', attributes: [{ name: 'run', value: '8' }] });
    await m.clearAttributes({ item: '/grid/vo/s/m.root', attributeNames: ['run'] });
    expect(await m.listAttributes({ item: '/grid/vo/s/m.root' })).toEqual([]);
    await m.setAttributes({ item: '/grid/vo/s/n.root', attributes: [{ name: 'run', value: '9' }] });
    await m.removeEntry({ items: ['/grid/vo/s/n.root'] });
    expect(await m.listAttributes({ item: '/grid/vo/s/n.root' })).toEqual([]);
    await expect(m.removeEntry({ items: ['/grid/vo/s/n.root'] })).rejects.toBeInstanceOf(NotExists);
    await m.removeEntry({ items: ['/grid/vo/s'] });
    await m.dropSchema({ schemaName: 'runs' });
    expect(await m.listSchemas()).toEqual([]);
  });

  it('throws faults as the SDK’s error classes, with the request id', async () => {
    const missing = await soap.fireman.getFileCatalogEntry({ lfns: ['/grid/vo/none'] }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotExists);
    expect((missing as NotExists).message).toMatch(/\/grid\/vo\/none/);
    expect((missing as NotExists).requestId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(soap.fireman.mkdir({ directories: ['/grid/vo/s'], createParents: false, copyPermFromParent: false })).rejects.toBeInstanceOf(Exists);
    await expect(soap.fireman.locate({ startDir: '/grid/vo', pattern: '*', limit: 0 })).rejects.toBeInstanceOf(InvalidArgument);
  });

  it('has called every operation of the three ports', () => {
    for (const port of [Fireman.FIREMAN_CATALOG, Fireman.STORAGE_INDEX, Fireman.METADATA_CATALOG]) {
      const missed = Object.keys(port.operations).filter((name) => !called.get(port.name)?.has(name));
      expect({ port: port.name, missed }).toEqual({ port: port.name, missed: [] });
    }
  });
});
