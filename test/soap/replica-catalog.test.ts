import type { Client } from 'soap';
import type { Identity } from '../../src/core/context';
import { TEST_IDENTITY } from '../support/test-catalog';
import { asArray, call, expectFault, list, startSoapService, type SoapTestService, switchableCaller } from './soap-harness';

type Struct = Record<string, unknown>;

const OTHER: Identity = { dn: '/DC=org/DC=example/CN=Other User', group: 'others', groups: [] };
const RIGHTS = ['permission', 'remove', 'read', 'write', 'list', 'execute', 'getMetadata', 'setMetadata'];
const perm = (...rights: string[]) => Object.fromEntries(RIGHTS.map((r) => [r, rights.includes(r)]));
const shown = (...rights: string[]) => Object.fromEntries(RIGHTS.map((r) => [r, String(rights.includes(r))]));

const G1 = '11111111-1111-4111-8111-111111111111';
const G2 = '22222222-2222-4222-8222-222222222222';
const G3 = '33333333-3333-4333-8333-333333333333';
const HIDDEN = '44444444-4444-4444-8444-444444444444';
const NONE = '99999999-9999-4999-8999-999999999999';
const S1 = 'srm://se1.example.org/vo/f1';
const S2 = 'srm://se2.example.org/vo/f1';

let svc: SoapTestService;
let fireman: Client;
const caller = switchableCaller(TEST_IDENTITY);
const as = caller.as;

const items = async (operation: string, args: Struct | null) =>
  asArray(((await call(fireman, operation, args)) as { item?: Struct | Struct[] } | undefined)?.item);
const surl = (s: string, master = false) => ({ masterReplica: master, creationTime: 0, modifyTime: 0, surl: s });

beforeAll(async () => {
  svc = await startSoapService({}, { identify: caller.identify });
  fireman = await svc.client('FiremanCatalog');
  await call(fireman, 'mkdir', { directories: list('/grid/vo/r', '/grid/vo/private'), createParents: true, copyPermFromParent: false });
  await call(fireman, 'create', {
    entries: list(
      { lfn: '/grid/vo/r/f1', guid: G1, guidStat: { modifyTime: 0, creationTime: 0, size: 42, checksum: 'adler32:0a1b2c3d', status: 0 }, surlStats: [surl(S1)] },
      { lfn: '/grid/vo/r/f2', guid: G2 },
      { lfn: '/grid/vo/r/f3', guid: G3, surlStats: [surl('srm://se1.example.org/vo/f3')] },
      { lfn: '/grid/vo/private/h', guid: HIDDEN },
    ),
  });
  // OTHER may traverse /, /grid, /grid/vo and /grid/vo/r, but not /grid/vo/private.
  const open = { otherPerm: perm('execute', 'list') };
  await call(fireman, 'setPermission', { permissions: list(...['/', '/grid', '/grid/vo', '/grid/vo/r'].map((item) => ({ item, permission: open }))) });
});
afterAll(async () => svc.close());

describe('default permissions', () => {
  it('getDefaultGlobalPermission gives the rights new entries get', async () => {
    const p = (await call(fireman, 'getDefaultGlobalPermission')) as Struct;
    expect(p).toMatchObject({ userPerm: shown(...RIGHTS), groupPerm: shown('read', 'list'), otherPerm: shown() });
    expect(p.acl).toBeUndefined();
  });

  it('getDefaultPrincipalPermission names the principal as owner (and the caller’s own group)', async () => {
    const own = (await call(fireman, 'getDefaultPrincipalPermission', { principal: TEST_IDENTITY.dn })) as Struct;
    expect(own).toMatchObject({ userName: TEST_IDENTITY.dn, groupName: 'testers', userPerm: shown(...RIGHTS), groupPerm: shown('read', 'list') });
    const other = (await call(fireman, 'getDefaultPrincipalPermission', { principal: OTHER.dn })) as Struct;
    expect(other).toMatchObject({ userName: OTHER.dn, otherPerm: shown() });
    expect(typeof other.groupName === 'string' ? other.groupName : null).toBeNull();
    expect((await expectFault(call(fireman, 'getDefaultPrincipalPermission', { principal: '' }))).name).toBe('InvalidArgumentException');
  });
});

describe('reading by GUID and SURL', () => {
  it('getGuidStat gives size, checksum and times of each GUID', async () => {
    const [s1, s2] = await items('getGuidStat', { guids: list(G1, G2) });
    expect(s1).toMatchObject({ size: '42', checksum: 'adler32:0a1b2c3d', status: '0' });
    expect(Number(s1!.creationTime)).toBeGreaterThan(Date.UTC(2020, 0));
    expect(s2).toMatchObject({ size: '0' });
    expect((await expectFault(items('getGuidStat', { guids: list(G1, NONE) }))).name).toBe('NotExistsException');
    expect((await expectFault(items('getGuidStat', { guids: list('not-a-guid') }))).name).toBe('InvalidArgumentException');
  });

  it('hasGuid answers each GUID, false for unknown ones and for files the caller cannot reach', async () => {
    expect(await items('hasGuid', { guids: list(G1, NONE, HIDDEN) })).toEqual([
      { string: G1, boolean: 'true' },
      { string: NONE, boolean: 'false' },
      { string: HIDDEN, boolean: 'true' },
    ]);
    const seen = await as(OTHER, () => items('hasGuid', { guids: list(G1, HIDDEN) }));
    expect(seen.map((s) => s.boolean)).toEqual(['true', 'false']);
    expect((await expectFault(items('hasGuid', { guids: list('x') }))).name).toBe('InvalidArgumentException');
  });

  it('listSurlsByGuid gives a pair per replica, master first, and string2 nil for a file without replicas', async () => {
    await call(fireman, 'addGuidReplica', { guid: G1, newSurls: list(surl(S2, true)) });
    const pairs = await items('listSurlsByGuid', { guids: list(G1, G2) });
    expect(pairs.map((p) => [p.string1, typeof p.string2 === 'string' ? p.string2 : null])).toEqual([
      [G1, S2],
      [G1, S1],
      [G2, null],
    ]);
    expect((await expectFault(items('listSurlsByGuid', { guids: list(NONE) }))).name).toBe('NotExistsException');
  });

  it('getSurlStat gives the SURLEntry of each SURL, keyed as sent', async () => {
    const [e1, e2] = await items('getSurlStat', { surls: list(S1, S2) });
    expect(e1).toMatchObject({ surl: S1, masterReplica: 'false' });
    expect(e2).toMatchObject({ surl: S2, masterReplica: 'true' });
    expect(Number(e1!.creationTime)).toBeGreaterThan(Date.UTC(2020, 0));
    expect((await expectFault(items('getSurlStat', { surls: list('srm://se9.example.org/none') }))).name).toBe('NotExistsException');
    // OTHER has no read right on the file (others get none by default).
    expect((await as(OTHER, () => expectFault(items('getSurlStat', { surls: list(S1) })))).name).toBe('AuthorizationException');
  });
});

describe('changing by GUID', () => {
  it('addGuidReplica adds SURLs to the file with that GUID, all or nothing', async () => {
    await call(fireman, 'addGuidReplica', { guid: G2, newSurls: list(surl('srm://se1.example.org/vo/f2a'), surl('srm://se2.example.org/vo/f2b')) });
    expect((await items('listSurlsByGuid', { guids: list(G2) })).map((p) => p.string2)).toEqual(['srm://se1.example.org/vo/f2a', 'srm://se2.example.org/vo/f2b']);
    const taken = await expectFault(call(fireman, 'addGuidReplica', { guid: G2, newSurls: list(surl('srm://se3.example.org/vo/new'), surl(S1)) }));
    expect(taken.name).toBe('ExistsException');
    expect((await expectFault(items('getSurlStat', { surls: list('srm://se3.example.org/vo/new') }))).name).toBe('NotExistsException');
    expect((await expectFault(call(fireman, 'addGuidReplica', { guid: NONE, newSurls: list(surl('srm://se3.example.org/x')) }))).name).toBe('NotExistsException');
  });

  it('removeGuid removes the file and its replicas; a caller without the right is refused, one who cannot reach it told it does not exist', async () => {
    expect((await as(OTHER, () => expectFault(call(fireman, 'removeGuid', { guids: list(G3) })))).name).toBe('AuthorizationException');
    expect((await as(OTHER, () => expectFault(call(fireman, 'removeGuid', { guids: list(HIDDEN) })))).name).toBe('NotExistsException');
    const missing = await expectFault(call(fireman, 'removeGuid', { guids: list(G3, NONE) }));
    expect(missing).toMatchObject({ name: 'NotExistsException' });
    expect((await items('hasGuid', { guids: list(G3) }))[0]!.boolean).toBe('true');
    await call(fireman, 'removeGuid', { guids: list(G3) });
    expect((await items('hasGuid', { guids: list(G3) }))[0]!.boolean).toBe('false');
    expect((await expectFault(items('getFileCatalogEntry', { lfns: list('/grid/vo/r/f3') }))).name).toBe('NotExistsException');
    expect((await expectFault(items('getSurlStat', { surls: list('srm://se1.example.org/vo/f3') }))).name).toBe('NotExistsException');
  });
});

describe('updateGuidStat', () => {
  const stat = (guid: string, size: number | null, checksum: string | null) => ({
    guid,
    guidStat: { modifyTime: 0, creationTime: 0, ...(size === null ? {} : { size }), checksum, status: 0 },
  });

  it('sets size and checksum of files by GUID; a nil checksum leaves it', async () => {
    await call(fireman, 'updateGuidStat', { entries: list(stat(G1, 1000, 'md5:0123456789abcdef0123456789ABCDEF'), stat(G2, 7, null)) });
    const [s1, s2] = await items('getGuidStat', { guids: list(G1, G2) });
    expect(s1).toMatchObject({ size: '1000', checksum: 'md5:0123456789abcdef0123456789abcdef' });
    expect(s2).toMatchObject({ size: '7' });
    expect(typeof s2!.checksum === 'string' ? s2!.checksum : null).toBeNull();
    await call(fireman, 'updateGuidStat', { entries: list(stat(G2, null, '9600001')) });
    expect((await items('getGuidStat', { guids: list(G2) }))[0]).toMatchObject({ size: '7', checksum: 'adler32:09600001' });
  });

  it('is all or nothing, and needs the write right', async () => {
    const fault = await expectFault(call(fireman, 'updateGuidStat', { entries: list(stat(G1, 5, null), stat(NONE, 5, null)) }));
    expect(fault).toMatchObject({ name: 'NotExistsException' });
    expect(fault.message).toMatch(/^item 2 of 2/);
    expect((await items('getGuidStat', { guids: list(G1) }))[0]).toMatchObject({ size: '1000' });
    expect((await expectFault(call(fireman, 'updateGuidStat', { entries: list(stat(G1, -1, null)) }))).name).toBe('InvalidArgumentException');
    expect((await expectFault(call(fireman, 'updateGuidStat', { entries: list(stat(G1, 1, 'crc:1')) }))).name).toBe('InvalidArgumentException');
    await call(fireman, 'setPermission', { permissions: list({ item: '/grid/vo/r/f1', permission: { otherPerm: perm('read') } }) });
    expect((await as(OTHER, () => expectFault(call(fireman, 'updateGuidStat', { entries: list(stat(G1, 1, null)) })))).name).toBe('AuthorizationException');
  });
});
